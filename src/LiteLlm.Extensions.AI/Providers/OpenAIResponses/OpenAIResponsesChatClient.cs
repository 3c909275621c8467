using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAIResponses;

/// <summary>
/// An <see cref="IChatClient"/> over OpenAI's Responses API (<c>POST /responses</c>), for OpenAI and Azure OpenAI models
/// served only there (the catalog's <c>mode: responses</c>) or deployments with <c>use_responses_api: true</c>. Written
/// by hand over the shared HTTP edge like <see cref="OpenAI.OpenAIChatClient"/> (errors, Azure's <c>api-key</c> and
/// <c>api-version</c>, extra headers and body fields come from <see cref="ProviderHttpHandler"/>), so a caller's own
/// Responses body passes through unchanged (docs/decisions/0008-responses.md).
/// </summary>
internal sealed class OpenAIResponsesChatClient : WireChatClient
{
    private readonly Uri _uri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string _provider;

    public OpenAIResponsesChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        : base(endpoint.Provider.Name, endpoint, model, httpClient)
    {
        _provider = endpoint.Provider.Name;
        _uri = ResponsesUri(endpoint);
        _authorization = endpoint.Provider.Protocol != ProviderProtocol.AzureOpenAI && !string.IsNullOrEmpty(endpoint.ApiKey)
            ? new AuthenticationHeaderValue("Bearer", endpoint.ApiKey)
            : null;
    }

    /// <summary>Whether a deployment of <paramref name="endpoint"/> for a model of catalog mode <paramref name="mode"/> uses this client.</summary>
    public static bool Applies(ProviderEndpoint endpoint, string? mode)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Provider.Protocol is ProviderProtocol.OpenAI or ProviderProtocol.AzureOpenAI
            && ResponsesApi.Applies(endpoint.Provider.Name, endpoint.Settings, mode);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = OpenAIResponsesRequest.Build(options?.ModelId ?? Model, messages, options, stream: false, this);
        using var request = CreateRequest(body, AcceptJson, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return OpenAIResponsesResponse.Parse(document.RootElement, _provider, Model);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = OpenAIResponsesRequest.Build(options?.ModelId ?? Model, messages, options, stream: true, this);
        using var request = CreateRequest(body, AcceptEventStream, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var sawToolCall = false;
            var parser = SseParser.Create(stream, static (_, data) => Json(data));
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item.Data.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var update = OpenAIResponsesResponse.ReadEvent(item.EventType, item.Data, _provider, Model, ref sawToolCall);
                yield return update;
                if (update.FinishReason is not null)
                {
                    break; // the terminal event: nothing after it belongs to this response
                }
            }
        }
    }

    /// <summary>One event's data as JSON; nothing for an empty event or the <c>[DONE]</c> some proxies add.</summary>
    private static JsonElement Json(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.SequenceEqual("[DONE]"u8))
        {
            return default;
        }

        var reader = new Utf8JsonReader(data);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// <c>{api_base}/responses</c>; for Azure, <c>{resource}/openai/responses</c> (the model is the deployment, in the
    /// body) unless the base already names a path under <c>/openai/</c> (such as the v1 API's <c>/openai/v1/</c>).
    /// </summary>
    internal static Uri ResponsesUri(ProviderEndpoint endpoint)
    {
        var baseUri = endpoint.ApiBase;
        if (!baseUri.AbsolutePath.EndsWith('/'))
        {
            baseUri = new UriBuilder(baseUri) { Path = baseUri.AbsolutePath + "/" }.Uri;
        }

        if (endpoint.Provider.Protocol == ProviderProtocol.AzureOpenAI && !baseUri.AbsolutePath.Contains("/openai/", StringComparison.Ordinal))
        {
            baseUri = new Uri(baseUri, "openai/");
        }

        return new Uri(baseUri, "responses");
    }

    private HttpRequestMessage CreateRequest(byte[] body, MediaTypeWithQualityHeaderValue accept, ChatOptions? options)
    {
        // A caller's own Responses body already holds its fields; a translated one gets the call's pass-through fields.
        var own = options?.RawRepresentationFactory?.Invoke(this) is WireJson { Format: WireFormat.OpenAIResponses };
        var request = own ? JsonPost(_uri, body, accept) : JsonPost(_uri, body, accept, options);
        if (own)
        {
            WireExtras.ApplyHeaders(request, options?.AdditionalProperties);
        }

        request.Headers.Authorization = _authorization;
        return request;
    }
}
