using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// OpenAI, every OpenAI-compatible host and Azure OpenAI. Chat and embeddings are written by hand over HTTP
/// (<see cref="OpenAIChatClient"/>, <see cref="OpenAIEmbeddingGenerator"/>).
/// Retries are left to the router, time limits to the wrapper.
/// </summary>
internal sealed class OpenAIProtocol : IProtocolClientFactory
{
    public static OpenAIProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new OpenAIChatClient(endpoint, model, httpClient);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new OpenAIEmbeddingGenerator(endpoint, model, httpClient);

    /// <summary>
    /// The base every operation's path is appended to, ending in '/'. Classic Azure puts the deployment in the path:
    /// <c>https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…</c>.
    /// </summary>
    internal static Uri BaseUri(ProviderEndpoint endpoint, string model)
    {
        var baseUri = endpoint.ApiBase;
        if (!baseUri.AbsolutePath.EndsWith('/'))
        {
            baseUri = new UriBuilder(baseUri) { Path = baseUri.AbsolutePath + "/" }.Uri;
        }

        if (endpoint.Provider.Protocol == ProviderProtocol.AzureOpenAI && !baseUri.AbsolutePath.Contains("/openai/", StringComparison.Ordinal))
        {
            baseUri = new Uri(baseUri, "openai/deployments/" + Uri.EscapeDataString(model) + "/");
        }

        return baseUri;
    }

    /// <summary>
    /// Whether the token limit goes out as <c>max_tokens</c>. OpenAI requires <c>max_completion_tokens</c> for its
    /// reasoning models, but OpenAI-compatible servers (Mistral, Together, vLLM, LM Studio, …) do not all know it:
    /// everywhere but api.openai.com and Azure the universally accepted <c>max_tokens</c> is sent.
    /// </summary>
    internal static bool UsesLegacyMaxTokens(ProviderEndpoint endpoint)
        => endpoint.Provider.Protocol == ProviderProtocol.OpenAI
        && !(endpoint.Provider.Name == "openai" && endpoint.Provider.DefaultApiBase is { } official
             && endpoint.ApiBase.AbsoluteUri.StartsWith(official, StringComparison.OrdinalIgnoreCase));
}
