using LiteLlm.Models;
using LiteLlm.Providers;

using Microsoft.Extensions.AI;

namespace LiteLlm;

// Batches, multi-model races, key checks and registration: LiteLLM's batch_completion,
// batch_completion_models(_all_responses), check_valid_key, custom_provider_map and register_model.
public static partial class Llm
{
    /// <summary>
    /// Sends each conversation to <paramref name="model"/> with bounded concurrency (LiteLLM's <c>batch_completion</c>)
    /// and returns one result per conversation, in input order. See <see cref="ChatClientBatchExtensions.GetResponsesAsync"/>.
    /// </summary>
    public static Task<IReadOnlyList<BatchResult>> BatchCompletionAsync(
        string model,
        IEnumerable<IEnumerable<ChatMessage>> conversations,
        BatchOptions? batchOptions = null,
        ChatOptions? options = null,
        ProviderOptions? provider = null,
        CancellationToken cancellationToken = default)
        => GetChatClient(model, provider).GetResponsesAsync(conversations, batchOptions, options, cancellationToken);

    /// <summary>Completes each prompt with <paramref name="model"/>, with bounded concurrency; results in input order.</summary>
    public static Task<IReadOnlyList<BatchResult>> BatchCompletionAsync(
        string model,
        IEnumerable<string> prompts,
        BatchOptions? batchOptions = null,
        ChatOptions? options = null,
        ProviderOptions? provider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return BatchCompletionAsync(model, prompts.Select(p => (IEnumerable<ChatMessage>)[new ChatMessage(ChatRole.User, p)]), batchOptions, options, provider, cancellationToken);
    }

    /// <summary>
    /// Sends one conversation to every model at once and yields each answer as it arrives, fastest first
    /// (LiteLLM's <c>batch_completion_models_all_responses</c>, streamed). A failing model yields its error.
    /// Credentials come from each provider's environment variables.
    /// </summary>
    public static IAsyncEnumerable<ModelResult> CompletionFromModelsAsync(
        IEnumerable<string> models, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => FanOut.AllAsync(Targets(models), messages ?? throw new ArgumentNullException(nameof(messages)), options, cancellationToken);

    /// <summary>Sends one conversation to every client at once and yields each answer as it arrives.</summary>
    public static IAsyncEnumerable<ModelResult> CompletionFromModelsAsync(
        IEnumerable<IChatClient> clients, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => clients.GetResponsesFromAllAsync(messages, options, cancellationToken);

    /// <summary>
    /// Sends one conversation to every model at once and returns the first successful answer; the other calls are
    /// cancelled (LiteLLM's <c>batch_completion_models</c>).
    /// </summary>
    /// <exception cref="AggregateException">Every model failed; the inner exceptions are their errors, in input order.</exception>
    public static Task<ModelResult> FirstCompletionAsync(
        IEnumerable<string> models, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => FanOut.FirstAsync(Targets(models), messages ?? throw new ArgumentNullException(nameof(messages)), options, cancellationToken);

    /// <summary>Sends one conversation to every client at once and returns the first successful answer; the others are cancelled.</summary>
    /// <exception cref="AggregateException">Every client failed.</exception>
    public static Task<ModelResult> FirstCompletionAsync(
        IEnumerable<IChatClient> clients, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => clients.GetFirstResponseAsync(messages, options, cancellationToken);

    /// <summary>Checks a key with the cheapest call there is: a one-token completion (LiteLLM's <c>check_valid_key</c>).</summary>
    public static Task<KeyCheckResult> CheckValidKeyAsync(string model, string? apiKey, CancellationToken cancellationToken)
        => LiteLlmClientFactory.Default.CheckValidKeyAsync(model, apiKey, null, cancellationToken);

    /// <summary>Checks a key with a one-token completion, at the endpoint <paramref name="provider"/> describes.</summary>
    public static Task<KeyCheckResult> CheckValidKeyAsync(string model, string? apiKey, ProviderOptions? provider = null, CancellationToken cancellationToken = default)
        => LiteLlmClientFactory.Default.CheckValidKeyAsync(model, apiKey, provider, cancellationToken);

    /// <summary>
    /// Registers a custom provider so that <c>"{name}/&lt;model&gt;"</c> reaches the client <paramref name="createChatClient"/>
    /// returns for <c>&lt;model&gt;</c> (LiteLLM's <c>custom_provider_map</c>). The client gets the library's unified
    /// errors, time limit and drop_params handling like a built-in one.
    /// </summary>
    public static void RegisterProvider(
        string name,
        Func<string, IChatClient> createChatClient,
        Func<string, IEmbeddingGenerator<string, Embedding<float>>>? createEmbeddingGenerator = null)
        => LiteLlmClientFactory.Default.Providers.RegisterCustom(name, createChatClient, createEmbeddingGenerator);

    /// <summary>Registers a custom provider with a factory that also sees the resolved endpoint.</summary>
    public static void RegisterProvider(string name, ICustomProviderFactory factory)
        => LiteLlmClientFactory.Default.Providers.RegisterCustom(name, factory);

    /// <summary>Adds or replaces a model in the catalog: prices, context window, capabilities (LiteLLM's <c>register_model</c>).</summary>
    public static void RegisterModel(ModelInfo model) => LiteLlmClientFactory.Default.Catalog.Register(model);

    private static List<(string Name, Func<IChatClient> Client)> Targets(IEnumerable<string> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models.Select(m => (m, (Func<IChatClient>)(() => GetChatClient(m)))).ToList();
    }
}
