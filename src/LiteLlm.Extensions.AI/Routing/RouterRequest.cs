namespace LiteLlm.Routing;

/// <summary>One request through the router.</summary>
internal sealed class RouterRequest(string group, int estimatedPromptTokens, bool isStreaming, IReadOnlyList<string>? fallbacks)
{
    public string Group { get; } = group;

    public int EstimatedPromptTokens { get; } = estimatedPromptTokens;

    public bool IsStreaming { get; } = isStreaming;

    /// <summary>Gets the per-request fallback list, replacing the configured one.</summary>
    public IReadOnlyList<string>? Fallbacks { get; } = fallbacks;

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
