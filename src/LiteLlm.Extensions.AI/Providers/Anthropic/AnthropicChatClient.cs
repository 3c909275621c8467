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
/// are done by <see cref="ProviderChatClient"/>. A caller's own Anthropic body (<see cref="WireJson"/>) is sent as it came,
/// with its <c>anthropic-*</c> headers, and each answer or stream event is handed back as a <see cref="WireJson"/>.
/// </summary>
internal sealed class AnthropicChatClient : WireChatClient, IInputTokenCounter
{
    private readonly Uri _messagesUri;
    private readonly Uri _countTokensUri;

    public AnthropicChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        : base("anthropic", endpoint, model, httpClient)
    {
        _messagesUri = AnthropicProtocol.MessagesUri(endpoint.ApiBase);
        _countTokensUri = new Uri(_messagesUri.GetLeftPart(UriPartial.Path) + "/count_tokens" + _messagesUri.Query);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var wire = Wire(options);
        var body = AnthropicRequestBuilder.Build(messages, options, Model, stream: false, wire, out var jsonToolName);
        using var request = CreateRequest(_messagesUri, body, AcceptJson, wire, options);
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
        var wire = Wire(options);
        var body = AnthropicRequestBuilder.Build(messages, options, Model, stream: true, wire, out var jsonToolName);
        using var request = CreateRequest(_messagesUri, body, AcceptEventStream, wire, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Every event is passed on (as the update's raw representation) unless the answer is rewritten for JSON mode.
            var parser = new AnthropicStreamParser(jsonToolName, StreamError) { KeepRawEvents = jsonToolName is null };
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

    /// <inheritdoc />
    public async Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var wire = Wire(options);
        var body = AnthropicRequestBuilder.BuildCountTokens(messages, options, Model, wire);
        using var request = CreateRequest(_countTokensUri, body, AcceptJson, wire, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("input_tokens", out var tokens) && tokens.TryGetInt64(out var count))
            {
                return count;
            }

            throw new InternalServerException(new ProviderErrorDetails(
                Endpoint.Provider.Name, Model, 200, "Anthropic's count_tokens answer has no input_tokens.", null));
        }
    }

    private WireJson? Wire(ChatOptions? options)
        => WireJson.As(options?.RawRepresentationFactory?.Invoke(this), WireFormat.AnthropicMessages);

    private HttpRequestMessage CreateRequest(Uri uri, byte[] body, MediaTypeWithQualityHeaderValue accept, WireJson? wire, ChatOptions? options)
    {
        // A caller's own body already holds its fields; a translated one gets the call's pass-through fields merged.
        var request = wire is null ? JsonPost(uri, body, accept, options) : JsonPost(uri, body, accept);
        if (wire is not null)
        {
            WireExtras.ApplyHeaders(request, options?.AdditionalProperties);
        }

        if (!string.IsNullOrEmpty(Endpoint.ApiKey))
        {
            request.Headers.TryAddWithoutValidation("x-api-key", Endpoint.ApiKey);
        }

        // The caller's protocol headers (its anthropic-version, the betas it opted into) go with its body.
        var version = AnthropicProtocol.ApiVersion;
        if (wire?.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                if (string.Equals(name, "anthropic-version", StringComparison.OrdinalIgnoreCase))
                {
                    version = value;
                }
                else if (name.StartsWith("anthropic-", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", version);
        return request;
    }

    // Only reached when no ProviderHttpHandler scanned the stream first (it normally throws on event: error).
    private LiteLlmException StreamError(string data)
        => ErrorMapper.FromResponse(Endpoint.Provider.Name, Model, 200, data, null, Endpoint.ApiKey, isMidStream: true);
}
