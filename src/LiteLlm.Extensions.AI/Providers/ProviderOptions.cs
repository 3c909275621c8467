namespace LiteLlm.Providers;

/// <summary>
/// Per-deployment or per-call overrides of a provider's endpoint and credentials. Anything left
/// <see langword="null"/> comes from the provider's environment variables and defaults.
/// </summary>
public sealed record ProviderOptions
{
    /// <summary>Gets the API key (LiteLLM's <c>api_key</c>).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Gets the API base URL (LiteLLM's <c>api_base</c>), e.g. a vLLM server or an Azure resource.</summary>
    public string? ApiBase { get; init; }

    /// <summary>Gets the API version (Azure's <c>api-version</c>).</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Gets the headers added to every request (LiteLLM's <c>extra_headers</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Gets the time a call may take before it fails with a timeout error. The default is 10 minutes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets provider-specific settings (e.g. <c>aws_region_name</c>, <c>mock_response</c>).</summary>
    public IReadOnlyDictionary<string, object?>? Settings { get; init; }
}
