using System.Text.RegularExpressions;

namespace LiteLlm.Errors;

/// <summary>Removes API keys from text before it is stored in an exception, a log or an error body.</summary>
internal static partial class SecretRedactor
{
    private const string Mask = "[REDACTED]";

    /// <summary>Redacts <paramref name="knownSecret"/> wherever it appears, and anything shaped like a provider key.</summary>
    public static string? Redact(string? text, string? knownSecret = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        if (!string.IsNullOrEmpty(knownSecret) && knownSecret.Length >= 4)
        {
            text = text.Replace(knownSecret, Mask, StringComparison.Ordinal);
        }

        return KeyShape().Replace(text, Mask);
    }

    // sk-… (OpenAI, Anthropic sk-ant-…, DeepSeek, our virtual keys), gsk_ (Groq), xai-, AIza… (Google),
    // AKIA/ASIA (AWS access key ids), and Bearer tokens. Partially masked keys ("sk-abc***xyz") too.
    [GeneratedRegex(@"(?:\b(?:sk|gsk|xai|pplx|fw|csk|nvapi|sk-ant|sk-proj)[-_][A-Za-z0-9_\-\*\.]{6,}|\bAIza[0-9A-Za-z_\-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{12,}|(?<=Bearer\s)[A-Za-z0-9_\-\.=]{8,})", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
