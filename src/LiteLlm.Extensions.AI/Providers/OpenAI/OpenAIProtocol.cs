using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// OpenAI, every OpenAI-compatible host and Azure OpenAI, through the official OpenAI SDK and
/// Microsoft.Extensions.AI.OpenAI. Retries are left to the router, time limits to the wrapper.
/// </summary>
internal sealed class OpenAIProtocol : IProtocolClientFactory
{
    // The SDK insists on a credential; for keyless local servers ProviderHttpHandler strips it again.
    private const string NoKey = "no-key";

    public static OpenAIProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => CreateClient(endpoint, model, httpClient).GetChatClient(model).AsIChatClient();

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => CreateClient(endpoint, model, httpClient).GetEmbeddingClient(model).AsIEmbeddingGenerator();

    private static OpenAIClient CreateClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        var baseUri = endpoint.ApiBase;
        if (endpoint.Provider.Protocol == ProviderProtocol.AzureOpenAI && !baseUri.AbsolutePath.Contains("/openai/", StringComparison.Ordinal))
        {
            // Classic Azure: https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…
            baseUri = new Uri(baseUri, "openai/deployments/" + Uri.EscapeDataString(model) + "/");
        }

        var options = new OpenAIClientOptions
        {
            Endpoint = baseUri,
            Transport = new HttpClientPipelineTransport(httpClient),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(endpoint.ApiKey) ? NoKey : endpoint.ApiKey), options);
    }
}
