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

    /// <summary>
    /// The URI of a model method. The api_base may be the host root (as Google's SDKs take it: <c>/v1beta</c> is added),
    /// the versioned base (<c>…/v1beta</c>), or LiteLLM's full model prefix (<c>…/v1beta/models/&lt;model&gt;</c>).
    /// </summary>
    internal static Uri MethodUri(ProviderEndpoint endpoint, string model, string method, string? query = null)
    {
        var baseUri = endpoint.ApiBase;
        var path = baseUri.AbsolutePath.TrimEnd('/');
        var models = path.IndexOf("/models/", StringComparison.Ordinal);
        if (models >= 0 || path.EndsWith("/models", StringComparison.Ordinal))
        {
            path = path[..(models >= 0 ? models : path.Length - "/models".Length)];
        }

        if (path.Length == 0)
        {
            path = "/v1beta";
        }

        var builder = new UriBuilder(baseUri.Scheme, baseUri.Host, baseUri.Port, path + "/models/" + ModelName(model) + ":" + method)
        {
            Query = query ?? string.Empty,
        };
        return builder.Uri;
    }

    internal static IEnumerable<KeyValuePair<string, string>> Headers(ProviderEndpoint endpoint)
        => string.IsNullOrEmpty(endpoint.ApiKey) ? [] : [KeyValuePair.Create("x-goog-api-key", endpoint.ApiKey)];
}
