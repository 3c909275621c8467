using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>Creates the clients of a provider the application registers itself (<c>my-llm/&lt;model&gt;</c>).</summary>
public interface ICustomProviderFactory
{
    /// <summary>Creates a chat client for <paramref name="model"/> (the part after the prefix).</summary>
    IChatClient CreateChatClient(string model, ProviderEndpoint endpoint);

    /// <summary>Creates an embedding generator, or returns <see langword="null"/> when the provider has none.</summary>
    IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(string model, ProviderEndpoint endpoint);
}
