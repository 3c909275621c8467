using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Routing;

/// <summary>One request through the router.</summary>
internal sealed class RouterRequest(string group, string model, int estimatedPromptTokens, bool isStreaming, RequestRouting? routing = null, int? numRetries = null)
{
    /// <summary>Gets the model group the caller asked for (after aliases and wildcards).</summary>
    public string Group { get; } = group;

    /// <summary>Gets the model string the caller asked for (a wildcard group serves it as the provider model).</summary>
    public string Model { get; } = model;

    public int EstimatedPromptTokens { get; } = estimatedPromptTokens;

    public bool IsStreaming { get; } = isStreaming;

    /// <summary>Gets the per-request fallbacks and tags (null for almost every request).</summary>
    public RequestRouting? Routing { get; } = routing;

    /// <summary>Gets the per-request <c>num_retries</c>, replacing the router's (per-error retry policies still apply).</summary>
    public int? NumRetries { get; } = numRetries;

    /// <summary>Gets or sets the group being tried: <see cref="Group"/>, then each fallback.</summary>
    public string CurrentGroup { get; set; } = group;

    /// <summary>Gets or sets the model string being tried (a fallback's own for fallbacks).</summary>
    public string CurrentModel { get; set; } = model;

    /// <summary>Gets or sets the messages of the fallback being tried when it brings its own; null sends the caller's.</summary>
    public IReadOnlyList<ChatMessage>? CurrentMessages { get; set; }

    public RouterTrace Trace { get; } = new();
}

/// <summary>What a request says about its own routing: LiteLLM's request parameters.</summary>
internal sealed class RequestRouting
{
    /// <summary>Gets <c>fallbacks</c>, replacing the configured ones for generic errors.</summary>
    public FallbackList? Fallbacks { get; init; }

    /// <summary>Gets <c>context_window_fallbacks</c>.</summary>
    public FallbackList? ContextWindowFallbacks { get; init; }

    /// <summary>Gets <c>content_policy_fallbacks</c>.</summary>
    public FallbackList? ContentPolicyFallbacks { get; init; }

    /// <summary>Gets the request's <c>tags</c> (or <c>metadata.tags</c>), used with tag filtering.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Reads the request's routing parameters; null when it sets none (the usual case: nothing allocated).</summary>
    /// <exception cref="Errors.UnsupportedParameterException">A parameter is malformed; the error names it.</exception>
    public static RequestRouting? From(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } p)
        {
            return null;
        }

        var fallbacks = FallbackList.Parse(p.GetValueOrDefault("fallbacks"), "fallbacks");
        var contextWindow = FallbackList.Parse(p.GetValueOrDefault("context_window_fallbacks"), "context_window_fallbacks");
        var contentPolicy = FallbackList.Parse(p.GetValueOrDefault("content_policy_fallbacks"), "content_policy_fallbacks");
        var tags = TagsOf(p.GetValueOrDefault("tags"), "tags") ?? TagsOf(MetadataTags(p.GetValueOrDefault("metadata")), "metadata.tags");
        return fallbacks is null && contextWindow is null && contentPolicy is null && tags is null ? null
            : new RequestRouting { Fallbacks = fallbacks, ContextWindowFallbacks = contextWindow, ContentPolicyFallbacks = contentPolicy, Tags = tags };
    }

    private static object? MetadataTags(object? metadata) => metadata switch
    {
        IDictionary<string, object?> d => d.TryGetValue("tags", out var t) ? t : null,
        IReadOnlyDictionary<string, object?> d => d.TryGetValue("tags", out var t) ? t : null,
        JsonElement { ValueKind: JsonValueKind.Object } e => e.TryGetProperty("tags", out var t) ? t : null,
        _ => null,
    };

    private static string[]? TagsOf(object? value, string name) => value switch
    {
        null or JsonElement { ValueKind: JsonValueKind.Null } => null,
        string tag => [tag],
        IEnumerable<string> tags => tags.ToArray(),
        JsonElement { ValueKind: JsonValueKind.String } tag => [tag.GetString()!],
        JsonElement { ValueKind: JsonValueKind.Array } tags when tags.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String)
            => tags.EnumerateArray().Select(t => t.GetString()!).ToArray(),
        _ => throw FallbackList.Invalid(name.Split('.')[0], $"{name}: must be a list of strings."),
    };
}

/// <summary>What happened to a request: attempts and fallbacks, stamped on the response.</summary>
internal sealed class RouterTrace
{
    public int Attempts { get; set; }

    private List<string>? _fallbacks;

    /// <summary>Gets the fallback groups tried, in order (empty, and not allocated, for almost every request).</summary>
    public IReadOnlyList<string> Fallbacks => (IReadOnlyList<string>?)_fallbacks ?? [];

    public void AddFallback(string group) => (_fallbacks ??= []).Add(group);

    /// <summary>Gets or sets a value indicating whether this request was hedged (sent to a second deployment).</summary>
    public bool Hedged { get; set; }
}
