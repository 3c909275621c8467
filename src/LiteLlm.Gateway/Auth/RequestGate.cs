using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Auth;

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

    /// <summary>Gets the customer the request is made for (its <c>user</c> field, Anthropic's <c>metadata.user_id</c>; LiteLLM's end user), or null.</summary>
    public string? EndUserId { get; init; }

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
