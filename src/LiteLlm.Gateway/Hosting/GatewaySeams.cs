using Microsoft.AspNetCore.Http;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// Who is calling, as established by authentication: the virtual key (hashed id), its user and team,
/// the models it may use and its metadata. <see cref="Anonymous"/> when the gateway runs without a master key.
/// </summary>
public sealed record CallerIdentity
{
    /// <summary>Gets the caller of a gateway without a master key.</summary>
    public static CallerIdentity Anonymous { get; } = new() { IsAnonymous = true };

    /// <summary>Gets a value indicating whether the gateway runs without a master key (no caller is known).</summary>
    public bool IsAnonymous { get; init; }

    /// <summary>Gets a value indicating whether the caller used the master key (admin).</summary>
    public bool IsMaster { get; init; }

    /// <summary>Gets the hashed id of the virtual key (never the key itself).</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the key's alias, or null.</summary>
    public string? KeyAlias { get; init; }

    /// <summary>Gets the key's user, or null.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the key's team, or null.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the model groups the key may use; empty means all.</summary>
    public IReadOnlyList<string> AllowedModels { get; init; } = [];

    /// <summary>Gets the key's metadata.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; init; } = new Dictionary<string, object?>();
}

/// <summary>
/// The gate every inference request passes before it is routed: authentication, model access,
/// budget reservation and rate limits, in that order. The default gate admits everyone.
/// </summary>
public interface IRequestGate
{
    /// <summary>Authenticates the request (Authorization: Bearer, or x-api-key for /v1/messages).</summary>
    /// <returns>The caller, or a refusal written as an OpenAI-shaped error.</returns>
    ValueTask<GateResult<CallerIdentity>> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken);

    /// <summary>Checks model access, budgets and rate limits for one call of <paramref name="modelGroup"/>; returns a lease released when the call ends.</summary>
    ValueTask<GateResult<IGateLease>> AdmitAsync(CallerIdentity caller, string modelGroup, int estimatedTokens, CancellationToken cancellationToken);
}

/// <summary>What the gate holds for one admitted call (a budget reservation, a parallel slot), released once when the call ends.</summary>
public interface IGateLease
{
    /// <summary>
    /// Releases what the call held and counts what it used (its cost against budgets, its tokens against tpm limits).
    /// <paramref name="record"/> is the call's spend record, or null when it never reached the pipeline. Must not throw.
    /// </summary>
    ValueTask ReleaseAsync(SpendRecord? record);
}

/// <summary>The outcome of a gate check: a value, or an OpenAI-shaped refusal.</summary>
public readonly record struct GateResult<T>(T? Value, GatewayError? Error);

/// <summary>Creates <see cref="GateResult{T}"/> values.</summary>
public static class GateResult
{
    /// <summary>Admits, with a value.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    public static GateResult<T> Ok<T>(T value) => new(value, null);

    /// <summary>Refuses, with an error.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="error">The refusal.</param>
    public static GateResult<T> Refuse<T>(GatewayError error) => new(default, error);
}

/// <summary>An OpenAI-shaped error: <c>{"error":{"message","type","param","code"}}</c> with its HTTP status.</summary>
public sealed record GatewayError(int Status, string Message, string Type, string? Code = null, string? Param = null, TimeSpan? RetryAfter = null);

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
