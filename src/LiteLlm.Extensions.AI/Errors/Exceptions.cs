namespace LiteLlm.Errors;

// The unified hierarchy. Each class is one LiteLlmErrorKind; BadRequestException has
// refinements so that "catch (BadRequestException)" still catches a context-window error.

/// <summary>The request was invalid (HTTP 400 / 422).</summary>
public class BadRequestException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="BadRequestException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public BadRequestException(ProviderErrorDetails details, Exception? innerException = null)
        : this("Bad request", details, innerException)
    {
    }

    private protected BadRequestException(string what, ProviderErrorDetails details, Exception? innerException)
        : base(Describe(what, details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.BadRequest;

    /// <inheritdoc/>
    public override int HttpStatus => StatusCode is >= 400 and < 500 ? StatusCode.Value : 400;
}

/// <summary>The prompt (plus the requested output) does not fit the model's context window.</summary>
public sealed class ContextWindowExceededException : BadRequestException
{
    /// <summary>Initializes a new instance of the <see cref="ContextWindowExceededException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ContextWindowExceededException(ProviderErrorDetails details, Exception? innerException = null)
        : base("Context window exceeded", details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.ContextWindowExceeded;

    /// <inheritdoc/>
    public override int HttpStatus => 400;
}

/// <summary>The provider refused the prompt on content-policy grounds.</summary>
public sealed class ContentPolicyViolationException : BadRequestException
{
    /// <summary>Initializes a new instance of the <see cref="ContentPolicyViolationException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ContentPolicyViolationException(ProviderErrorDetails details, Exception? innerException = null)
        : base("Content policy violation", details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.ContentPolicy;

    /// <inheritdoc/>
    public override int HttpStatus => 400;
}

/// <summary>A requested parameter is not supported by the provider.</summary>
public sealed class UnsupportedParameterException : BadRequestException
{
    /// <summary>Initializes a new instance of the <see cref="UnsupportedParameterException"/> class.</summary>
    /// <param name="parameter">The parameter's OpenAI name.</param>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    public UnsupportedParameterException(string parameter, ProviderErrorDetails details)
        : base("Unsupported parameter '" + parameter + "'", details, null)
    {
        Parameter = parameter;
    }

    /// <summary>Gets the name of the unsupported parameter, as OpenAI names it.</summary>
    public string Parameter { get; }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.UnsupportedParameter;

    /// <inheritdoc/>
    public override int HttpStatus => 400;
}

/// <summary>The model string named no known provider or catalog model.</summary>
public sealed class UnknownModelException : BadRequestException
{
    /// <summary>Initializes a new instance of the <see cref="UnknownModelException"/> class.</summary>
    /// <param name="model">The model string as it was given.</param>
    /// <param name="reason">The message: why the model string is not known.</param>
    public UnknownModelException(string model, string reason)
        : base(reason, new ProviderErrorDetails(null, null), null)
    {
        RequestedModel = model;
    }

    /// <summary>Gets the model string as it was given.</summary>
    public string RequestedModel { get; }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.UnknownModel;

    /// <inheritdoc/>
    public override int HttpStatus => 400;
}

/// <summary>The API key was missing or rejected (HTTP 401; Gemini's 400 API_KEY_INVALID).</summary>
public sealed class AuthenticationException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="AuthenticationException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public AuthenticationException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Authentication failed", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.Authentication;

    /// <inheritdoc/>
    public override int HttpStatus => 401;
}

/// <summary>The key may not use this model or operation (HTTP 403).</summary>
public sealed class PermissionDeniedException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="PermissionDeniedException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public PermissionDeniedException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Permission denied", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.PermissionDenied;

    /// <inheritdoc/>
    public override int HttpStatus => 403;
}

/// <summary>The model or resource does not exist at the provider (HTTP 404).</summary>
public sealed class NotFoundException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="NotFoundException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public NotFoundException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Not found", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.NotFound;

    /// <inheritdoc/>
    public override int HttpStatus => 404;
}

/// <summary>Too many requests or tokens (HTTP 429), or the account's quota is spent.</summary>
public sealed class RateLimitException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="RateLimitException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="retryAfter">How long the provider asked the caller to wait, when it said.</param>
    /// <param name="isQuotaExceeded">Whether a quota (rather than a per-minute limit) is exhausted.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public RateLimitException(ProviderErrorDetails details, TimeSpan? retryAfter = null, bool isQuotaExceeded = false, Exception? innerException = null)
        : base(Describe(isQuotaExceeded ? "Quota exceeded" : "Rate limited", details), details, innerException)
    {
        RetryAfter = retryAfter;
        IsQuotaExceeded = isQuotaExceeded;
    }

    /// <summary>Gets how long the provider asked us to wait (from <c>Retry-After</c> or its message), if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether the account's quota or credit is spent (retrying will not help).</summary>
    public bool IsQuotaExceeded { get; }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.RateLimit;

    /// <inheritdoc/>
    public override bool IsTransient => !IsQuotaExceeded;

    /// <inheritdoc/>
    public override int HttpStatus => 429;
}

/// <summary>The provider did not answer in time (client timeout, HTTP 408 or 504).</summary>
public sealed class ProviderTimeoutException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="ProviderTimeoutException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ProviderTimeoutException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Timed out", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.Timeout;

    /// <inheritdoc/>
    public override bool IsTransient => true;

    /// <inheritdoc/>
    public override int HttpStatus => 504;
}

/// <summary>The provider could not be reached, or the connection broke before the answer was complete.</summary>
public sealed class ApiConnectionException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="ApiConnectionException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ApiConnectionException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Connection failed", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.Connection;

    /// <inheritdoc/>
    public override bool IsTransient => true;

    /// <inheritdoc/>
    public override int HttpStatus => 502;
}

/// <summary>The provider is overloaded or unavailable (HTTP 502, 503, Anthropic's 529).</summary>
public sealed class ServiceUnavailableException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="ServiceUnavailableException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="retryAfter">How long the provider asked the caller to wait, when it said.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public ServiceUnavailableException(ProviderErrorDetails details, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(Describe(details.StatusCode == 529 ? "Overloaded" : "Service unavailable", details), details, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>Gets how long the provider asked us to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets a value indicating whether the provider said it is overloaded (Anthropic 529, Gemini "overloaded").</summary>
    public bool IsOverloaded => StatusCode == 529 || (ProviderCode?.Contains("overloaded", StringComparison.OrdinalIgnoreCase) ?? false)
        || (ProviderMessage?.Contains("overloaded", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.ServiceUnavailable;

    /// <inheritdoc/>
    public override bool IsTransient => true;

    /// <inheritdoc/>
    public override int HttpStatus => StatusCode is 502 or 503 ? StatusCode.Value : 503;
}

/// <summary>The provider failed internally (HTTP 500 and unlisted 5xx), or its answer could not be read.</summary>
public sealed class InternalServerException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="InternalServerException"/> class.</summary>
    /// <param name="details">What the provider answered (provider, model, status, message, code).</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public InternalServerException(ProviderErrorDetails details, Exception? innerException = null)
        : base(Describe("Provider error", details), details, innerException)
    {
    }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.InternalServer;

    /// <inheritdoc/>
    public override bool IsTransient => true;

    /// <summary>Gets the provider's own 5xx status, or 502 (a bad gateway answer) when it gave none: an answer that could not be read, a stream that failed.</summary>
    public override int HttpStatus => StatusCode is >= 500 and < 600 ? StatusCode.Value : 502;
}
