using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>Cohere v2 (chat and embed), written by hand over HTTP with <c>Authorization: Bearer</c>.</summary>
internal sealed class CohereProtocol : IProtocolClientFactory
{
    public static CohereProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new CohereChatClient(endpoint, model, httpClient);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new CohereEmbeddingGenerator(endpoint, model, httpClient);

    internal static Uri Uri(ProviderEndpoint endpoint, string path) => new(endpoint.ApiBase, path);

    internal static IEnumerable<KeyValuePair<string, string>> Headers(ProviderEndpoint endpoint)
        => string.IsNullOrEmpty(endpoint.ApiKey) ? [] : [KeyValuePair.Create("Authorization", "Bearer " + endpoint.ApiKey)];
}
