namespace LiteLlm.Errors;

/// <summary>
/// The base of every error a LiteLlm provider raises. Whatever the provider and whatever its wire
/// format, a failure surfaces as one of the sealed subclasses, so callers and the router decide on
/// types, never on message text.
/// </summary>
/// <remarks>
/// The message never contains an API key: provider messages are redacted before they are stored
/// (OpenAI, for one, echoes part of a rejected key).
/// </remarks>
public abstract class LiteLlmException : Exception
{
    private protected LiteLlmException(string message, ProviderErrorDetails details, Exception? innerException)
        : base(message, innerException)
    {
        Provider = details.Provider;
        Model = details.Model;
        StatusCode = details.StatusCode;
        ProviderMessage = details.ProviderMessage;
        ProviderCode = details.ProviderCode;
        IsMidStream = details.IsMidStream;
    }

    /// <summary>Gets the provider that failed (e.g. <c>openai</c>, <c>anthropic</c>), or <see langword="null"/> before one was chosen.</summary>
    public string? Provider { get; }

    /// <summary>Gets the model that was asked for, as the provider knows it.</summary>
    public string? Model { get; }

    /// <summary>Gets the HTTP status code the provider answered with, or <see langword="null"/> when there was no HTTP answer.</summary>
    public int? StatusCode { get; }

    /// <summary>Gets the provider's own error message (redacted of secrets).</summary>
    public string? ProviderMessage { get; }

    /// <summary>Gets the provider's error code or type (e.g. <c>context_length_exceeded</c>, <c>overloaded_error</c>).</summary>
    public string? ProviderCode { get; }

    /// <summary>Gets a value indicating whether the error arrived inside a stream, after the provider had answered 200.</summary>
    public bool IsMidStream { get; }

    /// <summary>Gets the kind of failure, one value per subclass.</summary>
    public abstract LiteLlmErrorKind Kind { get; }

    /// <summary>Gets a value indicating whether sending the same request again (here or elsewhere) may succeed.</summary>
    public virtual bool IsTransient => false;

    /// <summary>Gets the OpenAI-style status this error is reported with by the gateway.</summary>
    public virtual int HttpStatus => StatusCode ?? 500;

    private protected static string Describe(string what, ProviderErrorDetails details)
    {
        var where = details.Provider is null ? string.Empty
            : details.Model is null ? $" ({details.Provider})" : $" ({details.Provider}/{details.Model})";
        var status = details.StatusCode is int s ? $" [HTTP {s}]" : string.Empty;
        var text = string.IsNullOrEmpty(details.ProviderMessage) ? string.Empty : ": " + details.ProviderMessage;
        return what + where + status + text;
    }
}
