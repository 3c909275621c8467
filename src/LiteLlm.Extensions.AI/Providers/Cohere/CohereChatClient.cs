using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>Cohere v2 chat (<c>POST {base}v2/chat</c>, SSE when streaming) over plain HTTP.</summary>
internal sealed class CohereChatClient(ProviderEndpoint endpoint, string model, HttpClient http)
    : WireChatClient(endpoint.Provider.Name, endpoint, model, http)
{

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? Model;
        var body = CohereRequest.Build(model, messages as IList<ChatMessage> ?? [.. messages], options, stream: false);
        using var doc = await JsonHttp.PostForJsonAsync(HttpClient, CohereProtocol.Uri(Endpoint, "v2/chat"), body, CohereProtocol.Headers(Endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        var response = CohereResponse.Parse(doc.RootElement.Clone());
        response.ModelId = model;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? Model;
        var body = CohereRequest.Build(model, messages as IList<ChatMessage> ?? [.. messages], options, stream: true);
        var state = new CohereResponse.StreamState();
        await foreach (var (_, data) in JsonHttp.PostForSseAsync(HttpClient, CohereProtocol.Uri(Endpoint, "v2/chat"), body, CohereProtocol.Headers(Endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false))
        {
            if (CohereResponse.ParseEvent(data, state, Endpoint.Provider.Name, model) is { } update)
            {
                update.ModelId = model;
                update.RawRepresentation = data;
                yield return update;
            }
        }
    }
}
