using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Gemini;

/// <summary>Google Gemini <c>generateContent</c> / <c>streamGenerateContent?alt=sse</c> over plain HTTP.</summary>
internal sealed class GeminiChatClient(ProviderEndpoint endpoint, string model, HttpClient http)
    : WireChatClient(endpoint.Provider.Name, endpoint, model, http)
{

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? Model;
        var body = GeminiRequest.Build(messages as IList<ChatMessage> ?? [.. messages], options);
        using var doc = await JsonHttp.PostForJsonAsync(HttpClient, GeminiProtocol.MethodUri(Endpoint, model, "generateContent"), body, GeminiProtocol.Headers(Endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        return GeminiResponse.Parse(doc.RootElement.Clone(), Endpoint.Provider.Name, model);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? Model;
        var body = GeminiRequest.Build(messages as IList<ChatMessage> ?? [.. messages], options);
        var uri = GeminiProtocol.MethodUri(Endpoint, model, "streamGenerateContent", "alt=sse");
        var state = new GeminiResponse.StreamState();
        await foreach (var (_, data) in JsonHttp.PostForSseAsync(HttpClient, uri, body, GeminiProtocol.Headers(Endpoint), options?.AdditionalProperties, cancellationToken).ConfigureAwait(false))
        {
            yield return GeminiResponse.ParseChunk(data, state, Endpoint.Provider.Name, model);
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
}
