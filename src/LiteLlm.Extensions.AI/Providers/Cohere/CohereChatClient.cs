using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Cohere;

/// <summary>Cohere v2 chat (<c>POST {base}v2/chat</c>, SSE when streaming) over plain HTTP.</summary>
internal sealed class CohereChatClient : IChatClient
{
    private readonly ProviderEndpoint _endpoint;
    private readonly string _model;
    private readonly HttpClient _http;

    public CohereChatClient(ProviderEndpoint endpoint, string model, HttpClient http)
    {
        _endpoint = endpoint;
        _model = model;
        _http = http;
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _model;
        var body = CohereRequest.Build(model, messages as IList<ChatMessage> ?? [.. messages], options, stream: false);
        using var doc = await JsonHttp.PostForJsonAsync(_http, CohereProtocol.Uri(_endpoint, "v2/chat"), body, CohereProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false);
        var response = CohereResponse.Parse(doc.RootElement.Clone());
        response.ModelId = model;
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = options?.ModelId ?? _model;
        var body = CohereRequest.Build(model, messages as IList<ChatMessage> ?? [.. messages], options, stream: true);
        var state = new CohereResponse.StreamState();
        await foreach (var (_, data) in JsonHttp.PostForSseAsync(_http, CohereProtocol.Uri(_endpoint, "v2/chat"), body, CohereProtocol.Headers(_endpoint), options?.AdditionalProperties, cancellationToken)
            .ConfigureAwait(false))
        {
            if (CohereResponse.ParseEvent(data, state, _endpoint.Provider.Name, model) is { } update)
            {
                update.ModelId = model;
                update.RawRepresentation = data;
                yield return update;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }
}
