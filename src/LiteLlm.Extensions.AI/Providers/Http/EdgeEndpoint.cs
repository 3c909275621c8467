namespace LiteLlm.Providers.Http;

/// <summary>How a provider takes its key on the wire.</summary>
internal enum EdgeAuth
{
    /// <summary>The SDK's <c>Authorization</c> header (or the client's own header); dropped when there is no key.</summary>
    Default,

    /// <summary>Azure OpenAI: the key in <c>api-key</c>, the version in the <c>api-version</c> query.</summary>
    AzureApiKey,

    /// <summary>The request is signed (SigV4): its <c>Authorization</c> is the signature and always stays.</summary>
    Signed,
}

/// <summary>
/// What the HTTP edge needs to know about a deployment's endpoint: the provider's name for error messages, how the key
/// travels, the key (to redact it everywhere), the API version and the endpoint's extra headers. The edge sits below
/// the providers, so it is handed these facts rather than a provider's descriptor.
/// </summary>
internal sealed record EdgeEndpoint(
    string ProviderName,
    EdgeAuth Auth,
    string? ApiKey,
    string? ApiVersion,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <inheritdoc/>
    public override string ToString() => ProviderName; // never the key
}
