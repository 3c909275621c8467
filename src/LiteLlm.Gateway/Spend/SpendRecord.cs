namespace LiteLlm.Gateway.Spend;

/// <summary>One spend record per request, written off the request path.</summary>
public sealed record SpendRecord
{
    /// <summary>Gets the request's id.</summary>
    public required string RequestId { get; init; }

    /// <summary>Gets the hashed id of the caller's key, or null.</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the caller's user, or null.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the caller's team, or null.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the customer the request was made for (its <c>user</c>; LiteLLM's <c>end_user</c>), or null.</summary>
    public string? EndUser { get; init; }

    /// <summary>Gets the model group the caller asked for.</summary>
    public required string ModelGroup { get; init; }

    /// <summary>Gets the deployment that answered, or null.</summary>
    public string? Deployment { get; init; }

    /// <summary>Gets the provider that answered, or null.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model that answered, or null.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the input tokens read from the provider's prompt cache.</summary>
    public long CachedTokens { get; init; }

    /// <summary>Gets the cost in USD, or null when the price is unknown.</summary>
    public decimal? Cost { get; init; }

    /// <summary>Gets the request's duration in milliseconds.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Gets the seconds the provider call that answered took (the router's <see cref="ResponseProperties.ApiLatency"/>), or null when no provider was called.</summary>
    public double? ApiLatencySeconds { get; init; }

    /// <summary>Gets a value indicating whether the answer came from the response cache.</summary>
    public bool CacheHit { get; init; }

    /// <summary>Gets the outcome: <c>success</c> or the error kind.</summary>
    public required string Status { get; init; }

    /// <summary>Gets when the request arrived.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>Gets when the request ended.</summary>
    public required DateTimeOffset EndTime { get; init; }

    /// <summary>Gets the endpoint called (e.g. <c>/v1/chat/completions</c>), or null.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Gets the request's tags (LiteLLM's <c>tags</c> / <c>metadata.tags</c>), stored with the row and reported by <c>/spend/tags</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>Receives spend records; must never block the request (queue and write in batches).</summary>
public interface ISpendSink
{
    /// <summary>Queues a record. Never throws, never waits on I/O.</summary>
    void Record(SpendRecord record);
}
