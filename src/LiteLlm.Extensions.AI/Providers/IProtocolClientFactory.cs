using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>Creates the raw clients of one wire protocol; <see cref="LiteLlmClientFactory"/> wraps and caches them.</summary>
internal interface IProtocolClientFactory
{
    IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient);

    IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient);
}
