namespace LiteLlm;

/// <summary>What a key check found (LiteLLM's <c>check_valid_key</c>, with the reason).</summary>
public enum KeyCheckStatus
{
    /// <summary>The provider answered: the key works for this model.</summary>
    Valid,

    /// <summary>The provider rejected the key (HTTP 401), or no key was given where one is needed.</summary>
    InvalidKey,

    /// <summary>The key is known but may not use this model or API (HTTP 403).</summary>
    NoAccess,

    /// <summary>The model does not exist, for the provider (HTTP 404) or for the library (unknown model string).</summary>
    ModelNotFound,

    /// <summary>The provider throttled the call (HTTP 429); the key itself was accepted.</summary>
    RateLimited,

    /// <summary>The provider could not be reached (connection failure or no answer in time).</summary>
    Unreachable,

    /// <summary>Any other failure; see <see cref="KeyCheckResult.Message"/>.</summary>
    Error,
}

/// <summary>The outcome of <see cref="LiteLlmClientFactory.CheckValidKeyAsync(string, string?, Providers.ProviderOptions?, CancellationToken)"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Message">The provider's or library's explanation (never the key); <see langword="null"/> when valid.</param>
/// <param name="StatusCode">The provider's HTTP status, when there was one.</param>
public sealed record KeyCheckResult(KeyCheckStatus Status, string? Message = null, int? StatusCode = null)
{
    /// <summary>Gets a value indicating whether the key was accepted (<see cref="KeyCheckStatus.Valid"/> or <see cref="KeyCheckStatus.RateLimited"/>).</summary>
    public bool IsValid => Status is KeyCheckStatus.Valid or KeyCheckStatus.RateLimited;
}
