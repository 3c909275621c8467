using LiteLlm.Providers;
using LiteLlm.Providers.Mock;

namespace LiteLlm.Tests.Providers;

/// <summary>A user-registered provider, as an application would write one.</summary>
public sealed class CustomFactory : ICustomProviderFactory
{
    public List<string> Created { get; } = [];

    public IChatClient CreateChatClient(string model, ProviderEndpoint endpoint)
    {
        Created.Add(model);
        return new MockChatClient("custom-" + model, new Dictionary<string, object?> { [CallSettings.MockResponse] = "from my-llm " + model });
    }

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(string model, ProviderEndpoint endpoint) => null;
}
