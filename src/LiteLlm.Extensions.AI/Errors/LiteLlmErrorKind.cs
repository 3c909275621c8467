namespace LiteLlm.Errors;

/// <summary>The kinds of failure every provider's errors are mapped to.</summary>
public enum LiteLlmErrorKind
{
    /// <summary>The request was invalid (HTTP 400 and 422).</summary>
    BadRequest,

    /// <summary>The prompt does not fit the model's context window.</summary>
    ContextWindowExceeded,

    /// <summary>The provider refused the prompt or the answer on policy grounds.</summary>
    ContentPolicy,

    /// <summary>A parameter the provider does not support was asked for.</summary>
    UnsupportedParameter,

    /// <summary>The model string named no known provider or model.</summary>
    UnknownModel,

    /// <summary>The API key was missing or rejected (HTTP 401).</summary>
    Authentication,

    /// <summary>The key is valid but may not do this (HTTP 403).</summary>
    PermissionDenied,

    /// <summary>The model or resource does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>Too many requests or tokens (HTTP 429), or the quota is spent.</summary>
    RateLimit,

    /// <summary>The provider did not answer in time.</summary>
    Timeout,

    /// <summary>The provider could not be reached, or the connection broke.</summary>
    Connection,

    /// <summary>The provider is overloaded or down (HTTP 502, 503, 529).</summary>
    ServiceUnavailable,

    /// <summary>The provider failed internally (HTTP 500 and other 5xx).</summary>
    InternalServer,

    /// <summary>A budget would be exceeded by this request.</summary>
    BudgetExceeded,
}
