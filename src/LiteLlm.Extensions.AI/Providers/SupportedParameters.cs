using System.Collections.Frozen;

namespace LiteLlm.Providers;

/// <summary>
/// Which OpenAI request parameters each provider honours (LiteLLM's <c>get_supported_openai_params</c>).
/// A call that sets a parameter its provider does not support fails with
/// <see cref="Errors.UnsupportedParameterException"/>, unless <c>drop_params</c> is on, in which case the
/// parameter is removed and its name reported in <see cref="ResponseProperties.DroppedParams"/>.
/// </summary>
/// <remarks>
/// Names are OpenAI's (<c>max_tokens</c>, <c>stop</c>, <c>tool_choice</c>), plus <c>top_k</c> as LiteLLM names it
/// for providers that have it. The table states what this library sends on the wire, not what a provider's
/// API might accept in some other form.
/// </remarks>
public static class SupportedParameters
{
    /// <summary>The <c>temperature</c> request parameter.</summary>
    public const string Temperature = "temperature";
    /// <summary>The <c>top_p</c> request parameter.</summary>
    public const string TopP = "top_p";
    /// <summary>The <c>top_k</c> request parameter.</summary>
    public const string TopK = "top_k";
    /// <summary>The <c>max_tokens</c> request parameter.</summary>
    public const string MaxTokens = "max_tokens";
    /// <summary>The <c>stop</c> request parameter.</summary>
    public const string Stop = "stop";
    /// <summary>The <c>seed</c> request parameter.</summary>
    public const string Seed = "seed";
    /// <summary>The <c>frequency_penalty</c> request parameter.</summary>
    public const string FrequencyPenalty = "frequency_penalty";
    /// <summary>The <c>presence_penalty</c> request parameter.</summary>
    public const string PresencePenalty = "presence_penalty";
    /// <summary>The <c>response_format</c> request parameter.</summary>
    public const string ResponseFormat = "response_format";
    /// <summary>The <c>tools</c> request parameter.</summary>
    public const string Tools = "tools";
    /// <summary>The <c>tool_choice</c> request parameter.</summary>
    public const string ToolChoice = "tool_choice";
    /// <summary>The <c>parallel_tool_calls</c> request parameter.</summary>
    public const string ParallelToolCalls = "parallel_tool_calls";
    /// <summary>The <c>n</c> request parameter.</summary>
    public const string N = "n";
    /// <summary>The <c>logprobs</c> request parameter.</summary>
    public const string Logprobs = "logprobs";
    /// <summary>The <c>top_logprobs</c> request parameter.</summary>
    public const string TopLogprobs = "top_logprobs";
    /// <summary>The <c>logit_bias</c> request parameter.</summary>
    public const string LogitBias = "logit_bias";
    /// <summary>The <c>user</c> request parameter.</summary>
    public const string User = "user";

    /// <summary>OpenAI's <c>reasoning_effort</c> (MEAI <c>ChatOptions.Reasoning</c>): thinking budgets for Anthropic and Gemini.</summary>
    public const string ReasoningEffort = "reasoning_effort";

    private static readonly FrozenSet<string> Everything = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, Seed, FrequencyPenalty, PresencePenalty, ResponseFormat,
        Tools, ToolChoice, ParallelToolCalls, N, Logprobs, TopLogprobs, LogitBias, User, ReasoningEffort);

    private static readonly FrozenSet<string> OpenAIFamily = Set(
        Temperature, TopP, MaxTokens, Stop, Seed, FrequencyPenalty, PresencePenalty, ResponseFormat,
        Tools, ToolChoice, ParallelToolCalls, N, Logprobs, TopLogprobs, LogitBias, User, ReasoningEffort);

    // Messages API: no seed, no penalties, no n/logprobs; a JSON schema becomes a forced tool.
    private static readonly FrozenSet<string> AnthropicSet = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, ResponseFormat, Tools, ToolChoice, ParallelToolCalls, ReasoningEffort);

    // generationConfig has topK, seed and both penalties; no parallel-tool switch.
    private static readonly FrozenSet<string> GeminiSet = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, Seed, FrequencyPenalty, PresencePenalty, ResponseFormat, Tools, ToolChoice, ReasoningEffort);

    // Converse inferenceConfig has no seed or penalties; top_k travels in additionalModelRequestFields.
    // (reasoning_effort: a thinking budget for Anthropic models on Bedrock.)
    private static readonly FrozenSet<string> BedrockSet = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, Tools, ToolChoice, ReasoningEffort);

    // v2 chat: p, k, seed and both penalties.
    private static readonly FrozenSet<string> CohereSet = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, Seed, FrequencyPenalty, PresencePenalty, ResponseFormat, Tools, ToolChoice);

    // /api/chat options{} carries sampling, seed and penalties; no tool_choice.
    private static readonly FrozenSet<string> OllamaSet = Set(
        Temperature, TopP, TopK, MaxTokens, Stop, Seed, FrequencyPenalty, PresencePenalty, ResponseFormat, Tools);

    /// <summary>Gets every parameter name the table knows.</summary>
    public static IReadOnlySet<string> All => Everything;

    /// <summary>Gets the parameters a wire protocol supports. Mock and custom providers accept them all.</summary>
    public static IReadOnlySet<string> For(ProviderProtocol protocol) => protocol switch
    {
        ProviderProtocol.OpenAI or ProviderProtocol.AzureOpenAI => OpenAIFamily,
        ProviderProtocol.Anthropic => AnthropicSet,
        ProviderProtocol.Gemini => GeminiSet,
        ProviderProtocol.Bedrock => BedrockSet,
        ProviderProtocol.Cohere => CohereSet,
        ProviderProtocol.Ollama => OllamaSet,
        _ => Everything,
    };

    /// <summary>Gets the parameters a provider supports: its own declaration, or its protocol's.</summary>
    public static IReadOnlySet<string> For(ProviderDescriptor provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.SupportedParameters ?? For(provider.Protocol);
    }

    /// <summary>Gets the parameters of the provider named <paramref name="provider"/> (<c>anthropic</c>, <c>groq</c>).</summary>
    /// <exception cref="ArgumentException">No such provider is registered.</exception>
    public static IReadOnlySet<string> For(string provider, ProviderRegistry? registry = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        return (registry ?? ProviderRegistry.Default).TryGet(provider, out var descriptor)
            ? For(descriptor)
            : throw new ArgumentException($"No provider named '{provider}' is registered.", nameof(provider));
    }

    private static FrozenSet<string> Set(params string[] names) => names.ToFrozenSet(StringComparer.Ordinal);
}
