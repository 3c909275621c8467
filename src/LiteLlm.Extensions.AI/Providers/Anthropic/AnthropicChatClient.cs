using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Errors;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Anthropic;

/// <summary>
/// An <see cref="IChatClient"/> speaking Anthropic Messages directly. It only translates between MEAI and the
/// wire: status errors, connection failures and <c>event: error</c> frames are turned into unified exceptions by
/// <see cref="Http.ProviderHttpHandler"/>, and time limits, pass-through parameters and finish-reason normalization
/// are done by <see cref="ProviderChatClient"/>.
/// </summary>
internal sealed class AnthropicChatClient : IChatClient
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEventStream = new("text/event-stream");

    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _httpClient;
    private readonly Uri _messagesUri;
    private readonly ChatClientMetadata _metadata;

    public AnthropicChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(httpClient);
        _endpoint = endpoint;
        _model = model;
        _httpClient = httpClient;
        _messagesUri = AnthropicProtocol.MessagesUri(endpoint.ApiBase);
        _metadata = new ChatClientMetadata("anthropic", endpoint.ApiBase, model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = AnthropicRequestBuilder.Build(messages, options, _model, stream: false, out var jsonToolName);
        using var request = CreateRequest(body, AcceptJson);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return AnthropicResponseParser.Parse(document.RootElement, jsonToolName);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = AnthropicRequestBuilder.Build(messages, options, _model, stream: true, out var jsonToolName);
        using var request = CreateRequest(body, AcceptEventStream);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var parser = new AnthropicStreamParser(jsonToolName, StreamError);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (parser.Handle(item.EventType, item.Data) is { } update)
                {
                    yield return update;
                }

                if (parser.IsComplete)
                {
                    yield break;
                }
            }

            if (!parser.HasStopReason)
            {
                throw new ApiConnectionException(new ProviderErrorDetails(
                    _endpoint.Provider.Name, _model, 200, "The stream ended before Anthropic said why the message stopped (no message_delta stop_reason).",
                    null, IsMidStream: true));
            }
        }
    }

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

    private HttpRequestMessage CreateRequest(byte[] body, MediaTypeWithQualityHeaderValue accept)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonMediaType;
        var request = new HttpRequestMessage(HttpMethod.Post, _messagesUri) { Content = content };
        if (!string.IsNullOrEmpty(_endpoint.ApiKey))
        {
            request.Headers.TryAddWithoutValidation("x-api-key", _endpoint.ApiKey);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", AnthropicProtocol.ApiVersion);
        request.Headers.Accept.Add(accept);
        return request;
    }

    // Only reached when no ProviderHttpHandler scanned the stream first (it normally throws on event: error).
    private LiteLlmException StreamError(string data)
        => ErrorMapper.FromResponse(_endpoint.Provider.Name, _model, 200, data, null, _endpoint.ApiKey, isMidStream: true);
}
