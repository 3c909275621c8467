using System.Net.Http.Headers;
using Microsoft.Extensions.AI;
using LiteLlm.Providers.Http;

namespace LiteLlm.Providers;

/// <summary>
/// What the hand-written chat clients share: their metadata, <see cref="IChatClient.GetService"/>, the JSON POST they
/// send through the factory's <see cref="HttpClient"/> (which they do not own), and nothing to dispose.
/// </summary>
internal abstract class WireChatClient : IChatClient
{
    protected static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    protected static readonly MediaTypeWithQualityHeaderValue AcceptEventStream = new("text/event-stream");
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly ChatClientMetadata _metadata;

    protected WireChatClient(string providerName, ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(httpClient);
        Endpoint = endpoint;
        Model = model;
        HttpClient = httpClient;
        _metadata = new ChatClientMetadata(providerName, endpoint.ApiBase, model);
    }

    protected ProviderEndpoint Endpoint { get; }

    protected string Model { get; }

    protected HttpClient HttpClient { get; }

    public abstract Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public abstract IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to LiteLlmClientFactory.
    }

    /// <summary>
    /// A POST of <paramref name="body"/> (JSON) to <paramref name="uri"/> accepting <paramref name="accept"/>, with the call's
    /// extra headers and its pass-through fields merged into the body (for writers that do not write them themselves).
    /// </summary>
    protected static HttpRequestMessage JsonPost(Uri uri, byte[] body, MediaTypeWithQualityHeaderValue accept, ChatOptions? options)
    {
        if (WireExtras.Body(options) is { } extra && System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject merged)
        {
            WireExtras.Merge(merged, extra);
            // Re-serialized bodies keep base64 '+' and non-ASCII text as they were written (valid JSON, smaller).
            body = merged.ToUtf8Bytes(System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        }

        var request = JsonPost(uri, body, accept);
        WireExtras.ApplyHeaders(request, options?.AdditionalProperties);
        return request;
    }

    /// <summary>A POST of <paramref name="body"/> (JSON) to <paramref name="uri"/> accepting <paramref name="accept"/>.</summary>
    protected static HttpRequestMessage JsonPost(Uri uri, byte[] body, MediaTypeWithQualityHeaderValue accept)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonMediaType;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        request.Headers.Accept.Add(accept);
        return request;
    }
}
