using LiteLlm.Providers;
using Microsoft.Extensions.AI;

namespace LiteLlm;

/// <summary>
/// One-line entry points for scripts, in the spirit of <c>litellm.completion(...)</c>:
/// <code>
/// var response = await Llm.CompletionAsync("groq/llama-3.1-8b-instant", "Hello!");
/// await foreach (var update in Llm.StreamCompletionAsync("anthropic/claude-3-5-haiku-20241022", "Hello!"))
///     Console.Write(update.Text);
/// </code>
/// Everything here goes through <see cref="LiteLlmClientFactory.Default"/>.
/// </summary>
public static partial class Llm
{
    /// <summary>Gets the chat client for a model string (cached; do not dispose).</summary>
    public static IChatClient GetChatClient(string model, ProviderOptions? provider = null)
        => LiteLlmClientFactory.Default.CreateChatClient(model, provider);

    /// <summary>Gets the embedding generator for a model string (cached; do not dispose).</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string model, ProviderOptions? provider = null)
        => LiteLlmClientFactory.Default.CreateEmbeddingGenerator(model, provider);

    /// <summary>Completes a prompt.</summary>
    public static Task<ChatResponse> CompletionAsync(string model, string prompt, ChatOptions? options = null, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => CompletionAsync(model, [new ChatMessage(ChatRole.User, prompt)], options, provider, cancellationToken);

    /// <summary>Completes a conversation.</summary>
    public static Task<ChatResponse> CompletionAsync(string model, IEnumerable<ChatMessage> messages, ChatOptions? options = null, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => GetChatClient(model, provider).GetResponseAsync(messages, options, cancellationToken);

    /// <summary>Streams the completion of a prompt.</summary>
    public static IAsyncEnumerable<ChatResponseUpdate> StreamCompletionAsync(string model, string prompt, ChatOptions? options = null, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => StreamCompletionAsync(model, [new ChatMessage(ChatRole.User, prompt)], options, provider, cancellationToken);

    /// <summary>Streams the completion of a conversation.</summary>
    public static IAsyncEnumerable<ChatResponseUpdate> StreamCompletionAsync(string model, IEnumerable<ChatMessage> messages, ChatOptions? options = null, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => GetChatClient(model, provider).GetStreamingResponseAsync(messages, options, cancellationToken);

    /// <summary>Embeds texts.</summary>
    public static Task<GeneratedEmbeddings<Embedding<float>>> EmbeddingAsync(string model, IEnumerable<string> inputs, EmbeddingGenerationOptions? options = null, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => GetEmbeddingGenerator(model, provider).GenerateAsync(inputs, options, cancellationToken);
}
