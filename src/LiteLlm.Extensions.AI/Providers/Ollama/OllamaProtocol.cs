using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace LiteLlm.Providers.Ollama;

/// <summary>
/// Ollama's native API through OllamaSharp, whose client is both an <see cref="IChatClient"/> and an
/// embedding generator. Both <c>ollama/</c> and <c>ollama_chat/</c> use <c>/api/chat</c>.
/// </summary>
internal sealed class OllamaProtocol : IProtocolClientFactory
{
    public static OllamaProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new OllamaPassThroughChatClient(Create(endpoint, model, httpClient));

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => Create(endpoint, model, httpClient);

    private static OllamaApiClient Create(ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        httpClient.BaseAddress ??= endpoint.ApiBase;
        if (!string.IsNullOrEmpty(endpoint.ApiKey) && httpClient.DefaultRequestHeaders.Authorization is null)
        {
            httpClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
        }

        // Under Native AOT (no dynamic code) OllamaSharp's reflection-based JSON cannot run: it is handed our
        // source-generated context instead (decision 0012). Under the JIT it keeps its own reflection defaults, which also
        // serialize tool results of any type.
        return RuntimeFeature.IsDynamicCodeSupported
            ? new OllamaApiClient(httpClient, model)
            : new OllamaApiClient(httpClient, model, OllamaJsonContext.Default);
    }
}
