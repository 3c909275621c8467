using LiteLlm.Errors;

namespace LiteLlm.Routing;

/// <summary>
/// How many times each kind of error is retried (LiteLLM's <c>retry_policy</c>). Errors that cannot
/// succeed on a second try (bad request, authentication, content policy) are not retried by default.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Gets how many times a bad-request error is retried (<c>BadRequestErrorRetries</c>).</summary>
    public int BadRequest { get; init; }

    /// <summary>Gets how many times an authentication error is retried (<c>AuthenticationErrorRetries</c>).</summary>
    public int Authentication { get; init; }

    /// <summary>Gets how many times a content-policy error is retried (<c>ContentPolicyViolationErrorRetries</c>).</summary>
    public int ContentPolicy { get; init; }

    /// <summary>Gets how many times a context-window error is retried (no config key; 0 by default).</summary>
    public int ContextWindow { get; init; }

    /// <summary>Gets how many times a not-found error is retried (no config key; 0 by default).</summary>
    public int NotFound { get; init; }

    /// <summary>Gets the retries for rate limits; <see langword="null"/> uses <see cref="RouterOptions.NumRetries"/>.</summary>
    public int? RateLimit { get; init; }

    /// <summary>Gets the retries for time-outs; <see langword="null"/> uses <see cref="RouterOptions.NumRetries"/>.</summary>
    public int? Timeout { get; init; }

    /// <summary>Gets the retries for 5xx, overload and connection errors; <see langword="null"/> uses <see cref="RouterOptions.NumRetries"/>.</summary>
    public int? InternalServer { get; init; }

    internal int RetriesFor(LiteLlmException error, int numRetries) => error switch
    {
        RateLimitException { IsQuotaExceeded: true } => 0,
        RateLimitException { ProviderCode: RouterCore.NoDeploymentsCode } => 0, // waiting inside the request would hold it for up to a minute; fall back or answer 429

        RateLimitException => RateLimit ?? numRetries,
        ProviderTimeoutException => Timeout ?? numRetries,
        ContextWindowExceededException => ContextWindow,
        ContentPolicyViolationException => ContentPolicy,
        BadRequestException => BadRequest,
        AuthenticationException or PermissionDeniedException => Authentication,
        NotFoundException => NotFound,
        _ when error.IsTransient => InternalServer ?? numRetries,
        _ => 0,
    };
}
