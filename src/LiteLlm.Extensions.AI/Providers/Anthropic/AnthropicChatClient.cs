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
internal sealed class AnthropicChatClient : Http.WireChatClient
{
    private readonly Uri _messagesUri;

    public AnthropicChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        : base("anthropic", endpoint, model, httpClient)
    {
        _messagesUri = AnthropicProtocol.MessagesUri(endpoint.ApiBase);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = AnthropicRequestBuilder.Build(messages, options, Model, stream: false, out var jsonToolName);
        using var request = CreateRequest(body, AcceptJson, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return AnthropicResponseParser.Parse(document.RootElement, jsonToolName);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = AnthropicRequestBuilder.Build(messages, options, Model, stream: true, out var jsonToolName);
        using var request = CreateRequest(body, AcceptEventStream, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
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
                    Endpoint.Provider.Name, Model, 200, "The stream ended before Anthropic said why the message stopped (no message_delta stop_reason).",
                    null, IsMidStream: true));
            }
        }
    }

    private HttpRequestMessage CreateRequest(byte[] body, MediaTypeWithQualityHeaderValue accept, ChatOptions? options)
    {
        var request = JsonPost(_messagesUri, body, accept, options);
        if (!string.IsNullOrEmpty(Endpoint.ApiKey))
        {
            request.Headers.TryAddWithoutValidation("x-api-key", Endpoint.ApiKey);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", AnthropicProtocol.ApiVersion);
        return request;
    }

    // Only reached when no ProviderHttpHandler scanned the stream first (it normally throws on event: error).
    private LiteLlmException StreamError(string data)
        => ErrorMapper.FromResponse(Endpoint.Provider.Name, Model, 200, data, null, Endpoint.ApiKey, isMidStream: true);
}
