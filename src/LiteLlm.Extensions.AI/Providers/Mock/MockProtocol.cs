using Microsoft.Extensions.AI;

namespace LiteLlm.Providers.Mock;

/// <summary>The offline mock provider (<c>mock/&lt;anything&gt;</c>): no network, scripted answers.</summary>
internal sealed class MockProtocol(TimeProvider time) : IProtocolClientFactory
{
    public IChatClient CreateChatClient(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => model == "replay"
            ? new MockReplayChatClient(model, endpoint.Settings.TryGetValue(MockReplayChatClient.ReplayFile, out var file) && file is string path
                ? path
                : throw new ArgumentException("A mock/replay deployment needs replay_file (the JSONL file a recording wrote)."))
            : new MockChatClient(model, endpoint.Settings, time);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ProviderEndpoint endpoint, string model, HttpClient httpClient)
        => new MockEmbeddingGenerator(model, time);
}
