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
        => new BedrockChatClient(new BedrockTransport(endpoint, ModelId(model), httpClient, _environment, _time), ModelId(model));

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => BedrockEmbeddingGenerator.KindOf(ModelId(model)) is { } kind
            ? new BedrockEmbeddingGenerator(new BedrockTransport(endpoint, ModelId(model), httpClient, _environment, _time), ModelId(model), kind)
            : null;

    /// <summary>
    /// The Bedrock model id: LiteLLM's route prefixes (<c>bedrock/converse/…</c>, <c>bedrock/invoke/…</c>) are
    /// dropped; both are served through Converse here.
    /// </summary>
    internal static string ModelId(string model)
    {
        foreach (var route in (string[])["converse/", "invoke/"])
        {
            if (model.StartsWith(route, StringComparison.OrdinalIgnoreCase))
            {
                return model[route.Length..];
            }
        }

        return model;
    }
}
