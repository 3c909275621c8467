using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Gemini;

/// <summary>
/// Google Gemini (Generative Language API), written by hand over HTTP: <c>POST {base}models/{model}:{method}</c>
/// with the key in <c>x-goog-api-key</c>. The default base is <c>…/v1beta/</c>; an API base from the
/// caller must include the version segment.
/// </summary>
internal sealed class GeminiProtocol : IProtocolClientFactory
{
    public static GeminiProtocol Instance { get; } = new();

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new GeminiChatClient(endpoint, model, httpClient);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new GeminiEmbeddingGenerator(endpoint, model, httpClient);

    /// <summary>The model's name without the <c>models/</c> prefix Gemini's own ids carry.</summary>
    internal static string ModelName(string model)
        => model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;

    internal static Uri MethodUri(ProviderEndpoint endpoint, string model, string method, string? query = null)
        => new(endpoint.ApiBase, "models/" + ModelName(model) + ":" + method + (query is null ? string.Empty : "?" + query));

    internal static IEnumerable<KeyValuePair<string, string>> Headers(ProviderEndpoint endpoint)
        => string.IsNullOrEmpty(endpoint.ApiKey) ? [] : [KeyValuePair.Create("x-goog-api-key", endpoint.ApiKey)];
}
