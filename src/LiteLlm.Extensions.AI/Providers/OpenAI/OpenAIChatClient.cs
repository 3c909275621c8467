using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LiteLlm.Providers.Http;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> speaking OpenAI Chat Completions directly, for OpenAI, every OpenAI-compatible host and
/// Azure OpenAI. It only translates between MEAI and the wire: status errors, connection failures and error frames in a
/// stream become unified exceptions in <see cref="Http.ProviderHttpHandler"/>, which also adds Azure's <c>api-key</c> and
/// <c>api-version</c>; time limits, pass-through fields and finish-reason normalization are done by
/// <see cref="ProviderChatClient"/>. Why not the OpenAI SDK: docs/decisions/0007-openai-chat-by-hand.md.
/// </summary>
internal sealed class OpenAIChatClient : WireChatClient
{
    private readonly Uri _uri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly bool _legacyMaxTokens;

    public OpenAIChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        : base(endpoint.Provider.Name, endpoint, model, httpClient)
    {
        _uri = new Uri(OpenAIProtocol.BaseUri(endpoint, model), "chat/completions");
        _authorization = endpoint.Provider.Protocol != ProviderProtocol.AzureOpenAI && !string.IsNullOrEmpty(endpoint.ApiKey)
            ? new AuthenticationHeaderValue("Bearer", endpoint.ApiKey)
            : null;
        _legacyMaxTokens = OpenAIProtocol.UsesLegacyMaxTokens(endpoint);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = OpenAIChatRequest.Build(options?.ModelId ?? Model, messages, options, stream: false, _legacyMaxTokens, RawRequest(options));
        using var request = CreateRequest(body, AcceptJson, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            OpenAIChatResponse.RequireCompletion(document.RootElement, chunk: false);
            return OpenAIChatResponse.Parse(document.RootElement.Clone());
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = OpenAIChatRequest.Build(options?.ModelId ?? Model, messages, options, stream: true, _legacyMaxTokens, RawRequest(options));
        using var request = CreateRequest(body, AcceptEventStream, options);
        using var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var state = new OpenAIChatResponse.StreamState();

            // Each event's data is read straight from the parser's bytes: no string per chunk.
            var parser = SseParser.Create(stream, (_, data) => state.Read(data));
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item.Data is { } update)
                {
                    yield return update;
                }
                else if (state.Done)
                {
                    break;
                }
            }

            if (state.Complete() is { } last)
            {
                yield return last;
            }
        }
    }

    private WireJson? RawRequest(ChatOptions? options)
        => options?.RawRepresentationFactory is { } factory ? WireJson.As(factory(this), WireFormat.OpenAIChat) : null;

    private HttpRequestMessage CreateRequest(byte[] body, MediaTypeWithQualityHeaderValue accept, ChatOptions? options)
    {
        var request = JsonPost(_uri, body, accept);
        request.Headers.Authorization = _authorization;
        WireExtras.ApplyHeaders(request, options?.AdditionalProperties);
        return request;
    }
}
