using Anthropic;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>Anthropic Messages through the official Anthropic SDK's <see cref="IChatClient"/>.</summary>
internal sealed class AnthropicProtocol : IProtocolClientFactory
{
    /// <summary>Anthropic requires max_tokens; LiteLLM's default is used when the caller sets none.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    public static AnthropicProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        var client = new AnthropicClient
        {
            ApiKey = endpoint.ApiKey ?? string.Empty,
            BaseUrl = endpoint.ApiBase.AbsoluteUri.TrimEnd('/'),
            HttpClient = httpClient,
            MaxRetries = 0,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return client.AsIChatClient(model, DefaultMaxOutputTokens);
    }

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => null; // Anthropic has no embeddings API.
}
