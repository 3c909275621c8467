using System.Buffers;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.OpenAI;

/// <summary>
/// An <see cref="IChatClient"/> speaking OpenAI Chat Completions directly, for OpenAI, every OpenAI-compatible host and
/// Azure OpenAI. It only translates between MEAI and the wire: status errors, connection failures and error frames in a
/// stream become unified exceptions in <see cref="Http.ProviderHttpHandler"/>, which also adds Azure's <c>api-key</c> and
/// <c>api-version</c>; time limits, pass-through fields and finish-reason normalization are done by
/// <see cref="ProviderChatClient"/>. Why not the OpenAI SDK: docs/decisions/0009-openai-chat-by-hand.md.
/// </summary>
internal sealed class OpenAIChatClient : IChatClient
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEventStream = new("text/event-stream");

    private readonly string _model;
    private readonly HttpClient _httpClient;
    private readonly Uri _uri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly bool _legacyMaxTokens;
    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(httpClient);
        _model = model;
        _httpClient = httpClient;
        _uri = new Uri(OpenAIProtocol.BaseUri(endpoint, model), "chat/completions");
        _authorization = endpoint.Provider.Protocol != ProviderProtocol.AzureOpenAI && !string.IsNullOrEmpty(endpoint.ApiKey)
            ? new AuthenticationHeaderValue("Bearer", endpoint.ApiKey)
            : null;
        _legacyMaxTokens = OpenAIProtocol.UsesLegacyMaxTokens(endpoint);
        _metadata = new ChatClientMetadata(endpoint.Provider.Name, endpoint.ApiBase, model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = OpenAIChatRequest.Build(options?.ModelId ?? _model, messages, options, stream: false, _legacyMaxTokens);
        using var request = CreateRequest(body, AcceptJson);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return OpenAIChatResponse.Parse(document.RootElement);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = OpenAIChatRequest.Build(options?.ModelId ?? _model, messages, options, stream: true, _legacyMaxTokens);
        using var request = CreateRequest(body, AcceptEventStream);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var state = new OpenAIChatResponse.StreamState();

            // Each event's data is read straight from the parser's bytes: no string per chunk.
            var parser = SseParser.Create(stream, (_, data) => Chunk(data, state));
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

    private static ChatResponseUpdate? Chunk(ReadOnlySpan<byte> data, OpenAIChatResponse.StreamState state)
    {
        data = data.Trim(" \r\n\t"u8);
        if (data.IsEmpty || state.Done)
        {
            return null;
        }

        if (data.SequenceEqual("[DONE]"u8))
        {
            state.Done = true;
            return null;
        }

        // JsonDocument reads from memory, so the span is copied once into a pooled array for the length of the parse.
        var rented = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, data.Length));
            return state.Read(document.RootElement);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private HttpRequestMessage CreateRequest(byte[] body, MediaTypeWithQualityHeaderValue accept)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = JsonMediaType;
        var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = content };
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(accept);
        return request;
    }
}
