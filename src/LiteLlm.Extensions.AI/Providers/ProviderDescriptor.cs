namespace LiteLlm.Providers;

/// <summary>
/// A provider the library can reach: its name (the model-string prefix), protocol, default
/// endpoint and the environment variables its credentials are read from.
/// </summary>
public sealed record ProviderDescriptor
{
    /// <summary>Gets the prefix used in model strings (<c>groq</c> in <c>groq/llama3-8b-8192</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the wire protocol.</summary>
    public required ProviderProtocol Protocol { get; init; }

    /// <summary>Gets the default API base, or <see langword="null"/> when one must be given (Azure, hosted vLLM).</summary>
    public string? DefaultApiBase { get; init; }

    /// <summary>Gets the environment variables holding the API key, first found wins.</summary>
    public IReadOnlyList<string> ApiKeyVariables { get; init; } = [];

    /// <summary>Gets the environment variables holding the API base, first found wins.</summary>
    public IReadOnlyList<string> ApiBaseVariables { get; init; } = [];

    /// <summary>Gets the environment variables holding the API version (Azure).</summary>
    public IReadOnlyList<string> ApiVersionVariables { get; init; } = [];

    /// <summary>Gets the API version used when none is configured (Azure).</summary>
    public string? DefaultApiVersion { get; init; }

    /// <summary>Gets a value indicating whether a key is required when the default API base is used.</summary>
    public bool RequiresApiKey { get; init; } = true;

    /// <summary>Gets the factory of a custom provider (protocol <see cref="ProviderProtocol.Custom"/>).</summary>
    public ICustomProviderFactory? CustomFactory { get; init; }

    /// <summary>
    /// Gets the OpenAI parameters this provider honours, overriding its protocol's row of
    /// <see cref="Providers.SupportedParameters"/>; <see langword="null"/> uses the protocol's.
    /// </summary>
    public IReadOnlySet<string>? SupportedParameters { get; init; }
}
