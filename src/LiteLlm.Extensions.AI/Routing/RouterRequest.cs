namespace LiteLlm.Routing;

/// <summary>One request through the router.</summary>
internal sealed class RouterRequest(string group, int estimatedPromptTokens, bool isStreaming, IReadOnlyList<string>? fallbacks, int? numRetries = null)
{
    public string Group { get; } = group;

    public int EstimatedPromptTokens { get; } = estimatedPromptTokens;

    public bool IsStreaming { get; } = isStreaming;

    /// <summary>Gets the per-request fallback list, replacing the configured one.</summary>
    public IReadOnlyList<string>? Fallbacks { get; } = fallbacks;

    /// <summary>Gets the per-request <c>num_retries</c>, replacing the router's (per-error retry policies still apply).</summary>
    public int? NumRetries { get; } = numRetries;

    public RouterTrace Trace { get; } = new();
}

/// <summary>What happened to a request: attempts and fallbacks, stamped on the response.</summary>
internal sealed class RouterTrace
{
    public int Attempts { get; set; }

    private List<string>? _fallbacks;

    /// <summary>Gets the fallback groups tried, in order (empty, and not allocated, for almost every request).</summary>
    public IReadOnlyList<string> Fallbacks => (IReadOnlyList<string>?)_fallbacks ?? [];

    public void AddFallback(string group) => (_fallbacks ??= []).Add(group);
}
