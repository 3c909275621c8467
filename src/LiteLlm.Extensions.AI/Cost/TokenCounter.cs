using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LiteLlm.Cost;

/// <summary>The tiktoken encodings <see cref="TokenCounter"/> counts with.</summary>
internal enum TokenEncoding
{
    /// <summary><c>o200k_base</c>: gpt-4o, gpt-4.1, gpt-5, o1/o3/o4.</summary>
    O200kBase,

    /// <summary><c>cl100k_base</c>: gpt-4, gpt-3.5, OpenAI embeddings, and the approximation for every other family.</summary>
    Cl100kBase,
}

/// <summary>
/// Counts prompt tokens before a call (for budget estimates and context-window checks), with OpenAI's tiktoken
/// encodings from Microsoft.ML.Tokenizers.
/// </summary>
/// <remarks>
/// OpenAI models are counted exactly with their encoding. Claude, Gemini, Llama, Mistral and others have tokenizers
/// that are not public or not bundled: they are counted with <c>cl100k_base</c> as an approximation (usually within
/// ~10–20% of the provider's count). Messages follow OpenAI's chat accounting: 3 tokens per message, 1 more for a
/// name, 3 to prime the reply. Tools count their name, description and JSON schema as text. Non-text content
/// (images, audio, files) is counted as a flat <see cref="TokensPerNonTextContent"/>. Tokenizers are built once, lazily,
/// and shared: they are thread-safe and expensive to build.
/// </remarks>
public static class TokenCounter
{
    /// <summary>Tokens counted for each image, audio or file part (OpenAI's cost of a 512×512 high-detail tile plus base).</summary>
    public const int TokensPerNonTextContent = 255;

    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int ReplyPriming = 3;
    private const int TokensPerTool = 8;

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding("cl100k_base"));

    // The four standard roles are counted once per encoding (the same counts, without tokenizing them on every call).
    private static readonly string[] StandardRoles = [ChatRole.System.Value, ChatRole.User.Value, ChatRole.Assistant.Value, ChatRole.Tool.Value];
    private static readonly Lazy<int[]> O200kRoles = new(() => [.. StandardRoles.Select(r => O200k.Value.CountTokens(r))]);
    private static readonly Lazy<int[]> Cl100kRoles = new(() => [.. StandardRoles.Select(r => Cl100k.Value.CountTokens(r))]);

    private static readonly string[] O200kFamilies = ["gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "gpt-oss", "codex"];

    /// <summary>Gets the encoding used for <paramref name="model"/> (a bare or <c>provider/</c>-prefixed name; <see langword="null"/> gives <c>cl100k_base</c>).</summary>
    internal static TokenEncoding EncodingFor(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return TokenEncoding.Cl100kBase;
        }

        // "openai/gpt-4o", "azure/gpt-4o-mini", "openrouter/openai/o3": the family is the last segment.
        var name = model[(model.LastIndexOf('/') + 1)..];
        foreach (var family in O200kFamilies)
        {
            if (name.StartsWith(family, StringComparison.OrdinalIgnoreCase))
            {
                return TokenEncoding.O200kBase;
            }
        }

        return TokenEncoding.Cl100kBase;
    }

    /// <summary>Counts the tokens of <paramref name="text"/> as <paramref name="model"/> would.</summary>
    public static int CountTokens(string text, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : TokenizerFor(EncodingFor(model)).CountTokens(text);
    }

    /// <summary>Counts the prompt tokens of a chat request: the messages, their per-message overhead, the reply priming and the tools.</summary>
    public static int CountTokens(IEnumerable<ChatMessage> messages, string? model = null, IEnumerable<AITool>? tools = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var encoding = EncodingFor(model);
        var tokenizer = TokenizerFor(encoding);
        var roles = encoding == TokenEncoding.O200kBase ? O200kRoles.Value : Cl100kRoles.Value;
        var total = ReplyPriming;
        foreach (var message in messages)
        {
            total += TokensPerMessage + CountRole(tokenizer, roles, message.Role.Value);
            if (!string.IsNullOrEmpty(message.AuthorName))
            {
                total += TokensPerName + Count(tokenizer, message.AuthorName);
            }

            foreach (var content in message.Contents)
            {
                total += CountContent(tokenizer, content);
            }
        }

        if (tools is not null)
        {
            foreach (var tool in tools)
            {
                total += TokensPerTool + Count(tokenizer, tool.Name) + Count(tokenizer, tool.Description);
                if (tool is AIFunctionDeclaration function)
                {
                    total += Count(tokenizer, function.JsonSchema.GetRawText());
                }
            }
        }

        return total;
    }

    /// <summary>
    /// Estimates the prompt tokens of <paramref name="messages"/> without a tokenizer: four characters of text a token,
    /// plus one. The cheap estimate the router (without pre-call checks) and hosts admitting a request use; see
    /// <see cref="CountTokens(IEnumerable{ChatMessage}, string?, IEnumerable{AITool}?)"/> for an exact count.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The estimate.</returns>
    public static int EstimateTokens(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // Without building the message text.
        long chars = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is TextContent text)
                {
                    chars += text.Text.Length;
                }
            }
        }

        return (int)Math.Min(int.MaxValue, (chars / 4) + 1);
    }

    internal static Tokenizer TokenizerFor(TokenEncoding encoding) => encoding == TokenEncoding.O200kBase ? O200k.Value : Cl100k.Value;

    private static int CountContent(Tokenizer tokenizer, AIContent content) => content switch
    {
        TextContent text => Count(tokenizer, text.Text),
        TextReasoningContent reasoning => Count(tokenizer, reasoning.Text),
        FunctionCallContent call => Count(tokenizer, call.Name)
            + (call.Arguments is null ? 0 : Count(tokenizer, JsonSerializer.Serialize(call.Arguments, AIJson<IDictionary<string, object?>>.Info))),
        FunctionResultContent result => Count(tokenizer, result.Result switch
        {
            null => null,
            string s => s,
            var other => JsonSerializer.Serialize(other, AIJson<object>.Info),
        }),
        DataContent or UriContent or HostedFileContent => TokensPerNonTextContent,
        _ => 0,
    };

    private static int CountRole(Tokenizer tokenizer, int[] standard, string role)
    {
        for (var i = 0; i < StandardRoles.Length; i++)
        {
            if (string.Equals(role, StandardRoles[i], StringComparison.Ordinal))
            {
                return standard[i];
            }
        }

        return Count(tokenizer, role);
    }

    private static int Count(Tokenizer tokenizer, string? text) => string.IsNullOrEmpty(text) ? 0 : tokenizer.CountTokens(text);
}
