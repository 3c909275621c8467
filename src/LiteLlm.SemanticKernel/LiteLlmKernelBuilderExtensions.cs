using LiteLlm;
using LiteLlm.Providers;
using LiteLlm.Routing;
using LiteLlm.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.SemanticKernel;

/// <summary>
/// Registers LiteLlm clients in a Semantic Kernel: any provider by model string, a <see cref="LiteLlmRouter"/>,
/// or a ready pipeline. Each method returns the MEAI builder, so the usual middleware keeps chaining:
/// <code>
/// var kb = Kernel.CreateBuilder();
/// kb.AddLiteLlmChatClient("anthropic/claude-3-5-haiku-20241022").UseCostTracking();
/// kb.Plugins.AddFromType&lt;WeatherPlugin&gt;();
/// var kernel = kb.Build();
/// await kernel.InvokePromptAsync("Weather in Paris?", new(new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }));
/// </code>
/// </summary>
/// <remarks>
/// Every chat client is registered with Semantic Kernel's function invocation as its outermost stage
/// (<see cref="KernelFunctionInvokingChatClientBuilderExtensions.UseKernelFunctionInvocation"/>), so that
/// <see cref="FunctionChoiceBehavior.Auto"/> runs kernel functions and <see cref="IAutoFunctionInvocationFilter"/>s,
/// and each round trip of the tool loop passes through the middleware chained after it (cost, cache, router).
/// A pipeline that already invokes functions (<see cref="FunctionInvokingChatClient"/>) is left as it is.
/// </remarks>
public static class LiteLlmKernelBuilderExtensions
{
    /// <summary>Registers a chat client for <paramref name="model"/> (<c>provider/model</c>, e.g. <c>groq/llama-3.1-8b-instant</c>).</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="model">The default model; a call's <see cref="PromptExecutionSettings.ModelId"/> overrides it.</param>
    /// <param name="provider">Endpoint and credential overrides; the provider's environment variables otherwise.</param>
    /// <param name="serviceId">The kernel service id (<see cref="PromptExecutionSettings.ServiceId"/>), or <see langword="null"/> for the default client.</param>
    /// <param name="factory">The client factory; a <see cref="LiteLlmClientFactory"/> registered in the kernel's services, else <see cref="LiteLlmClientFactory.Default"/>.</param>
    /// <returns>The builder of the registered client, to add middleware.</returns>
    public static ChatClientBuilder AddLiteLlmChatClient(
        this IKernelBuilder builder, string model, ProviderOptions? provider = null, string? serviceId = null, LiteLlmClientFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return AddChat(builder.Services, serviceId, services => new LiteLlmChatClient(model, provider, factory ?? FactoryFrom(services)));
    }

    /// <summary>
    /// Registers a ready client, e.g. a <see cref="LiteLlmRouter"/> pipeline built with <see cref="ChatClientBuilder"/>.
    /// A client that reports no <see cref="ChatClientMetadata"/> (which Semantic Kernel requires) is given one.
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="client">The client or pipeline.</param>
    /// <param name="serviceId">The kernel service id, or <see langword="null"/> for the default client.</param>
    /// <returns>The builder of the registered client, to add middleware.</returns>
    public static ChatClientBuilder AddLiteLlmChatClient(this IKernelBuilder builder, IChatClient client, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        return AddChat(builder.Services, serviceId, _ => client);
    }

    /// <summary>Registers a <see cref="LiteLlmRouter"/> over <paramref name="options"/>' deployments: retries, cooldowns and fallbacks under the kernel.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="options">The deployments and routing settings. Calls name a model group with <see cref="PromptExecutionSettings.ModelId"/>; with one group it is the default.</param>
    /// <param name="serviceId">The kernel service id, or <see langword="null"/> for the default client.</param>
    /// <param name="factory">The client factory; a registered <see cref="LiteLlmClientFactory"/>, else <see cref="LiteLlmClientFactory.Default"/>.</param>
    /// <returns>The builder of the registered router, to add middleware (cost tracking, budgets, cache).</returns>
    public static ChatClientBuilder AddLiteLlmRouter(
        this IKernelBuilder builder, RouterOptions options, string? serviceId = null, LiteLlmClientFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        return AddChat(builder.Services, serviceId, services
            => new LiteLlmRouter(options, factory ?? FactoryFrom(services), services.GetService<ILogger<LiteLlmRouter>>()));
    }

    /// <summary>Registers an embedding generator for <paramref name="model"/> (<c>openai/text-embedding-3-small</c>, <c>mock/embed</c>).</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="model">The embedding model.</param>
    /// <param name="provider">Endpoint and credential overrides.</param>
    /// <param name="serviceId">The service key, or <see langword="null"/> for the default generator.</param>
    /// <param name="factory">The client factory; a registered <see cref="LiteLlmClientFactory"/>, else <see cref="LiteLlmClientFactory.Default"/>.</param>
    /// <returns>The builder of the registered generator, to add middleware.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLiteLlmEmbeddingGenerator(
        this IKernelBuilder builder, string model, ProviderOptions? provider = null, string? serviceId = null, LiteLlmClientFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return AddEmbedding(builder.Services, serviceId, services => (factory ?? FactoryFrom(services)).CreateEmbeddingGenerator(model, provider));
    }

    /// <summary>Registers a ready embedding generator, e.g. <see cref="LiteLlmRouter.EmbeddingGenerator"/>.</summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="generator">The generator.</param>
    /// <param name="serviceId">The service key, or <see langword="null"/> for the default generator.</param>
    /// <returns>The builder of the registered generator, to add middleware.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLiteLlmEmbeddingGenerator(
        this IKernelBuilder builder, IEmbeddingGenerator<string, Embedding<float>> generator, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(generator);
        return AddEmbedding(builder.Services, serviceId, _ => generator);
    }

    /// <summary>
    /// Also exposes the chat client registered under <paramref name="serviceId"/> as an <see cref="IChatCompletionService"/>,
    /// for code written against <c>kernel.GetRequiredService&lt;IChatCompletionService&gt;()</c> and <see cref="ChatHistory"/>.
    /// Calls go through the same pipeline (function invocation, router, cost, cache).
    /// </summary>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="serviceId">The service id the chat client was registered under, or <see langword="null"/> for the default one.</param>
    /// <returns>The kernel builder.</returns>
    public static IKernelBuilder AddLiteLlmChatCompletionService(this IKernelBuilder builder, string? serviceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (serviceId is null)
        {
            builder.Services.AddSingleton(services => services.GetRequiredService<IChatClient>().AsChatCompletionService(services));
        }
        else
        {
            builder.Services.AddKeyedSingleton(serviceId, (services, _) => services.GetRequiredKeyedService<IChatClient>(serviceId).AsChatCompletionService(services));
        }

        return builder;
    }

    private static ChatClientBuilder AddChat(IServiceCollection services, string? serviceId, Func<IServiceProvider, IChatClient> create)
    {
        IChatClient Inner(IServiceProvider sp) => MetadataChatClient.Ensure(create(sp));
        var chat = serviceId is null ? services.AddChatClient(Inner) : services.AddKeyedChatClient(serviceId, Inner);

        // First added is outermost: the tool loop wraps whatever the caller chains next.
        return chat.Use(static (inner, sp) => inner.GetService<FunctionInvokingChatClient>() is not null
            ? inner
            : new ChatClientBuilder(inner).UseKernelFunctionInvocation(sp.GetService<ILoggerFactory>()).Build(sp));
    }

    private static EmbeddingGeneratorBuilder<string, Embedding<float>> AddEmbedding(
        IServiceCollection services, string? serviceId, Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> create)
        => serviceId is null
            ? services.AddEmbeddingGenerator(create)
            : services.AddKeyedEmbeddingGenerator(serviceId, create);

    private static LiteLlmClientFactory FactoryFrom(IServiceProvider services)
        => services.GetService<LiteLlmClientFactory>() ?? LiteLlmClientFactory.Default;
}
