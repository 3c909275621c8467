using Microsoft.Extensions.AI;

namespace LiteLlm.Observability;

/// <summary>
/// The standard record of one call handed to every <see cref="ILiteLlmCallback"/> (LiteLLM's standard logging
/// payload), filled from <see cref="ResponseProperties"/> and the response's usage. Fields that a layer did not
/// set (no router, no cost tracking) are <see langword="null"/>.
/// </summary>
public sealed record LiteLlmCallPayload
{
    /// <summary>Gets the request id: the caller's <c>litellm_call_id</c> setting, or a new id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets a value indicating whether the call was streamed.</summary>
    public bool Streaming { get; init; }

    /// <summary>Gets the model group the caller asked for (the router's group, else the requested model).</summary>
    public string? ModelGroup { get; init; }

    /// <summary>Gets the deployment that served the call, when a router chose one.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider that served the call.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model that answered (the response's model id, else the requested one).</summary>
    public string? Model { get; init; }

    /// <summary>Gets the input (prompt) tokens.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output (completion) tokens.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the input tokens the provider served from its prompt cache.</summary>
    public long? CachedInputTokens { get; init; }

    /// <summary>Gets the cost in USD, when known (0 for cache hits).</summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the time from the start of the call to its end.</summary>
    public TimeSpan? Latency { get; init; }

    /// <summary>Gets the time from the start of a streamed call to its first update.</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Gets a value indicating whether the answer came from the response cache.</summary>
    public bool CacheHit { get; init; }

    /// <summary>Gets how many provider calls the request took, when a router reported it.</summary>
    public int? Attempts { get; init; }

    /// <summary>Gets the caller's metadata (<c>AdditionalProperties["metadata"]</c>: user_id, team_id, key_id...).</summary>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }

    /// <summary>Gets the failure, for <see cref="ILiteLlmCallback.OnFailureAsync"/>.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Gets when the call started.</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>Gets when the call ended; <see langword="null"/> before it did.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Gets the request's messages. They are user content: handlers decide what to keep.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>Gets the response (assembled from the updates for streams); <see langword="null"/> before or without one.</summary>
    public ChatResponse? Response { get; init; }
}
