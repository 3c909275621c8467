namespace LiteLlm.Observability;

/// <summary>Settings of <see cref="RecordingChatClient"/>: where calls are written and what is redacted.</summary>
public sealed class RecordingOptions
{
    /// <summary>The fields redacted by default: keys, tokens and credentials under their usual names.</summary>
    public static IReadOnlyList<string> DefaultRedactedFields => Providers.Mock.RecordingFormat.DefaultRedactedFields;

    /// <summary>Gets or sets the JSONL file that calls are appended to (one call a line); created when absent.</summary>
    public string FilePath { get; set; } = "litellm-recording.jsonl";

    /// <summary>
    /// Gets the property names whose values are replaced by <c>[REDACTED]</c> wherever they appear in the request or
    /// the answer (e.g. add <c>user_email</c>). Matching is case-sensitive. Strings that look like keys
    /// (<c>Bearer …</c>, <c>sk-…</c>) are redacted wherever they appear.
    /// </summary>
    public ISet<string> RedactedFields { get; } = new HashSet<string>(DefaultRedactedFields, StringComparer.Ordinal);
}
