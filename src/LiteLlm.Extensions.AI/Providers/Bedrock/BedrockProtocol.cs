using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Bedrock;

/// <summary>
/// AWS Bedrock: Converse / ConverseStream for chat, InvokeModel for Titan and Cohere embeddings,
/// written against the HTTP API (see docs/decisions/0003-bedrock-hand-written.md).
/// </summary>
internal sealed class BedrockProtocol : IProtocolClientFactory
{
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;

    public BedrockProtocol(Func<string, string?> environment, TimeProvider time)
    {
        _environment = environment;
        _time = time;
    }

    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new BedrockChatClient(new BedrockTransport(endpoint, model, httpClient, _environment, _time), model);

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => BedrockEmbeddingGenerator.KindOf(model) is { } kind
            ? new BedrockEmbeddingGenerator(new BedrockTransport(endpoint, model, httpClient, _environment, _time), model, kind)
            : null;
}
