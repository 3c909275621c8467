using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Gemini;

/// <summary>Google Gemini <c>generateContent</c> / <c>streamGenerateContent?alt=sse</c> over plain HTTP.</summary>
internal sealed class GeminiChatClient : IChatClient
{
    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _http;

    public GeminiChatClient(ProviderEndpoint endpoint, string model, HttpClient http)
    {
        _endpoint = endpoint;
        _model = model;
        _http = http;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _model;
        var body = GeminiRequest.Build(messages as IList<ChatMessage> ?? [.. messages], options);
        using var doc = await JsonHttp.PostForJsonAsync(_http, GeminiProtocol.MethodUri(_endpoint, model, "generateContent"), body, GeminiProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        return GeminiResponse.Parse(doc.RootElement.Clone(), _endpoint.Provider.Name, model);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _model;
        var body = GeminiRequest.Build(messages as IList<ChatMessage> ?? [.. messages], options);
        var uri = GeminiProtocol.MethodUri(_endpoint, model, "streamGenerateContent", "alt=sse");
        var state = new GeminiResponse.StreamState();
        await foreach (var (_, data) in JsonHttp.PostForSseAsync(_http, uri, body, GeminiProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken).ConfigureAwait(false))
        {
            yield return GeminiResponse.ParseChunk(data, state, _endpoint.Provider.Name, model);
        }

        // Usage repeats on every chunk and is complete only on the last: report it once.
        if (state.Usage is { } usage)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
            {
                ResponseId = state.ResponseId,
                MessageId = state.ResponseId,
                ModelId = state.ModelId,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }
}
