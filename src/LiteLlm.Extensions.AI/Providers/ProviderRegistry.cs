using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LiteLlm.Providers;

/// <summary>
/// The providers the library knows by name: the built-in ones and any the application registers.
/// Names are LiteLLM's model-string prefixes, so a LiteLLM model string works unchanged.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly ConcurrentDictionary<string, ProviderDescriptor> _providers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a new instance of the <see cref="ProviderRegistry"/> class with the built-in providers.</summary>
    public ProviderRegistry()
    {
        foreach (var p in BuiltIn())
        {
            _providers[p.Name] = p;
        }
    }

    /// <summary>Gets the process-wide registry used by <see cref="Llm"/>'s static entry points.</summary>
    public static ProviderRegistry Default { get; } = new();

    /// <summary>Gets the names of every registered provider.</summary>
    public IEnumerable<string> Names => _providers.Keys.Order(StringComparer.Ordinal);

    /// <summary>Adds or replaces a provider.</summary>
    public void Register(ProviderDescriptor provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider.Name);
        if (provider.Name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A provider name cannot contain '/'.", nameof(provider));
        }

        if (provider.Protocol == ProviderProtocol.Custom && provider.CustomFactory is null)
        {
            throw new ArgumentException("A custom provider needs a CustomFactory.", nameof(provider));
        }

        _providers[provider.Name] = provider;
    }

    /// <summary>Registers a custom provider under <paramref name="name"/> (<c>my-llm/&lt;model&gt;</c>).</summary>
    public void RegisterCustom(string name, ICustomProviderFactory factory, string? defaultApiBase = null)
        => Register(new ProviderDescriptor
        {
            Name = name,
            Protocol = ProviderProtocol.Custom,
            CustomFactory = factory,
            DefaultApiBase = defaultApiBase ?? "http://localhost/",
            RequiresApiKey = false,
        });

    /// <summary>
    /// Registers a custom provider from delegates: <c>"{name}/&lt;model&gt;"</c> reaches the client
    /// <paramref name="createChatClient"/> returns for <c>&lt;model&gt;</c>.
    /// </summary>
    public void RegisterCustom(
        string name,
        Func<string, IChatClient> createChatClient,
        Func<string, IEmbeddingGenerator<string, Embedding<float>>>? createEmbeddingGenerator = null)
    {
        ArgumentNullException.ThrowIfNull(createChatClient);
        RegisterCustom(name, new DelegateProviderFactory(createChatClient, createEmbeddingGenerator));
    }

    /// <summary>Finds a provider by name.</summary>
    public bool TryGet(string name, out ProviderDescriptor provider) => _providers.TryGetValue(name, out provider!);

    private static IEnumerable<ProviderDescriptor> BuiltIn()
    {
        yield return new() { Name = "openai", Protocol = ProviderProtocol.OpenAI, DefaultApiBase = "https://api.openai.com/v1", ApiKeyVariables = ["OPENAI_API_KEY"], ApiBaseVariables = ["OPENAI_API_BASE", "OPENAI_BASE_URL"] };
        yield return new() { Name = "azure", Protocol = ProviderProtocol.AzureOpenAI, ApiKeyVariables = ["AZURE_API_KEY", "AZURE_OPENAI_API_KEY"], ApiBaseVariables = ["AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"], ApiVersionVariables = ["AZURE_API_VERSION", "OPENAI_API_VERSION"], DefaultApiVersion = "2024-10-21" };
        yield return new() { Name = "anthropic", Protocol = ProviderProtocol.Anthropic, DefaultApiBase = "https://api.anthropic.com", ApiKeyVariables = ["ANTHROPIC_API_KEY"], ApiBaseVariables = ["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"] };
        yield return new() { Name = "ollama", Protocol = ProviderProtocol.Ollama, DefaultApiBase = "http://localhost:11434", ApiBaseVariables = ["OLLAMA_API_BASE"], ApiKeyVariables = ["OLLAMA_API_KEY"], RequiresApiKey = false };
        yield return new() { Name = "ollama_chat", Protocol = ProviderProtocol.Ollama, DefaultApiBase = "http://localhost:11434", ApiBaseVariables = ["OLLAMA_API_BASE"], ApiKeyVariables = ["OLLAMA_API_KEY"], RequiresApiKey = false };
        yield return new() { Name = "gemini", Protocol = ProviderProtocol.Gemini, DefaultApiBase = "https://generativelanguage.googleapis.com/v1beta/", ApiKeyVariables = ["GEMINI_API_KEY", "GOOGLE_API_KEY"], ApiBaseVariables = ["GEMINI_API_BASE"] };
        yield return new() { Name = "cohere", Protocol = ProviderProtocol.Cohere, DefaultApiBase = "https://api.cohere.com/", ApiKeyVariables = ["COHERE_API_KEY", "CO_API_KEY"], ApiBaseVariables = ["COHERE_API_BASE"] };
        yield return new() { Name = "cohere_chat", Protocol = ProviderProtocol.Cohere, DefaultApiBase = "https://api.cohere.com/", ApiKeyVariables = ["COHERE_API_KEY", "CO_API_KEY"], ApiBaseVariables = ["COHERE_API_BASE"] };
        // Bedrock: SigV4 from aws_* settings or AWS_* variables, or a Bedrock API key as a bearer token.
        // The default base is rewritten to the configured region (bedrock-runtime.{region}.amazonaws.com).
        yield return new() { Name = "bedrock", Protocol = ProviderProtocol.Bedrock, DefaultApiBase = "https://bedrock-runtime.us-west-2.amazonaws.com/", ApiBaseVariables = ["AWS_BEDROCK_RUNTIME_ENDPOINT"], ApiKeyVariables = ["AWS_BEARER_TOKEN_BEDROCK"], RequiresApiKey = false };
        yield return new() { Name = "mock", Protocol = ProviderProtocol.Mock, DefaultApiBase = "mock://local/", RequiresApiKey = false };

        // OpenAI-compatible hosts: default base URL and key variable as LiteLLM documents them.
        yield return Compatible("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY");
        yield return Compatible("together_ai", "https://api.together.xyz/v1", "TOGETHERAI_API_KEY", "TOGETHER_API_KEY", "TOGETHER_AI_API_KEY");
        yield return Compatible("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY");
        yield return Compatible("deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY");
        yield return Compatible("fireworks_ai", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY");
        yield return Compatible("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "OR_API_KEY");
        yield return Compatible("perplexity", "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY");
        yield return Compatible("xai", "https://api.x.ai/v1", "XAI_API_KEY");
        yield return Compatible("deepinfra", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY");
        yield return Compatible("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY");
        yield return Compatible("sambanova", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY");
        yield return Compatible("nvidia_nim", "https://integrate.api.nvidia.com/v1", "NVIDIA_NIM_API_KEY");
        yield return Compatible("nebius", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY");
        yield return Compatible("hyperbolic", "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY");
        yield return Compatible("moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY");
        yield return Compatible("github", "https://models.inference.ai.azure.com", "GITHUB_API_KEY", "GITHUB_TOKEN");
        yield return new() { Name = "hosted_vllm", Protocol = ProviderProtocol.OpenAI, ApiBaseVariables = ["HOSTED_VLLM_API_BASE"], ApiKeyVariables = ["HOSTED_VLLM_API_KEY"], RequiresApiKey = false };
        yield return new() { Name = "lm_studio", Protocol = ProviderProtocol.OpenAI, DefaultApiBase = "http://localhost:1234/v1", ApiBaseVariables = ["LM_STUDIO_API_BASE"], ApiKeyVariables = ["LM_STUDIO_API_KEY"], RequiresApiKey = false };
        yield return new() { Name = "llamafile", Protocol = ProviderProtocol.OpenAI, DefaultApiBase = "http://127.0.0.1:8080/v1", ApiBaseVariables = ["LLAMAFILE_API_BASE"], RequiresApiKey = false };
    }

    private static ProviderDescriptor Compatible(string name, string apiBase, params string[] keyVariables) => new()
    {
        Name = name,
        Protocol = ProviderProtocol.OpenAI,
        DefaultApiBase = apiBase,
        ApiKeyVariables = keyVariables,
        ApiBaseVariables = [name.ToUpperInvariant() + "_API_BASE"],
    };
}

/// <summary>A custom provider made of two delegates.</summary>
internal sealed class DelegateProviderFactory(
    Func<string, IChatClient> createChatClient,
    Func<string, IEmbeddingGenerator<string, Embedding<float>>>? createEmbeddingGenerator) : ICustomProviderFactory
{
    public IChatClient CreateChatClient(string model, ProviderEndpoint endpoint) => createChatClient(model);

    public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(string model, ProviderEndpoint endpoint)
        => createEmbeddingGenerator?.Invoke(model);
}
