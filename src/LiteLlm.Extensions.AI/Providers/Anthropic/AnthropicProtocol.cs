using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>
/// Anthropic Messages (<c>POST {base}v1/messages</c>) through our own translator, <see cref="AnthropicChatClient"/>.
/// The official SDK's IChatClient was dropped: see docs/decisions/0002-anthropic-own-translator.md.
/// </summary>
internal sealed class AnthropicProtocol : IProtocolClientFactory
{
    /// <summary>Anthropic requires max_tokens; LiteLLM's default is used when the caller sets none.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>The classic, documented API version we pin (sent with <c>x-api-key</c>).</summary>
    public const string ApiVersion = "2023-06-01";

    public static AnthropicProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new AnthropicChatClient(endpoint, model, httpClient);

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => null; // Anthropic has no embeddings API.

    /// <summary>
    /// The Messages URL for a base such as <c>https://api.anthropic.com/</c>; a base that already ends
    /// with <c>/v1</c> (a common way to write proxy URLs) is not doubled.
    /// </summary>
    public static Uri MessagesUri(Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(apiBase);
        var text = apiBase.AbsoluteUri;
        var query = string.Empty;
        var q = text.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = text[q..];
            text = text[..q];
        }

        if (!text.EndsWith('/'))
        {
            text += "/";
        }

        var path = text.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase) ? "messages" : "v1/messages";
        return new Uri(text + path + query);
    }
}
