namespace LiteLlm.Models;

/// <summary>Facts about one model: provider, context window, prices (USD per token) and capabilities.</summary>
/// <remarks>Prices are <see langword="null"/> when unknown, never 0 by default.</remarks>
public sealed record ModelInfo
{
    /// <summary>Gets the catalog key (e.g. <c>gpt-4o-mini</c>, <c>groq/llama3-8b-8192</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the provider that serves the model, in LiteLLM's naming (e.g. <c>openai</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the mode: <c>chat</c>, <c>embedding</c>, <c>completion</c>, …</summary>
    public string? Mode { get; init; }

    public int? MaxInputTokens { get; init; }

    public int? MaxOutputTokens { get; init; }

    public decimal? InputCostPerToken { get; init; }

    public decimal? OutputCostPerToken { get; init; }

    public decimal? OutputCostPerReasoningToken { get; init; }

    public decimal? CacheReadInputTokenCost { get; init; }

    public decimal? CacheCreationInputTokenCost { get; init; }

    public decimal? CacheCreationInputTokenCostAbove1Hour { get; init; }

    public decimal? InputCostPerTokenAbove128K { get; init; }

    public decimal? OutputCostPerTokenAbove128K { get; init; }

    public decimal? InputCostPerTokenAbove200K { get; init; }

    public decimal? OutputCostPerTokenAbove200K { get; init; }

    public decimal? CacheReadInputTokenCostAbove200K { get; init; }

    public decimal? CacheCreationInputTokenCostAbove200K { get; init; }

    /// <summary>
    /// Gets the long-context price tiers (LiteLLM's <c>*_above_&lt;N&gt;k_tokens</c> prices), ascending by threshold.
    /// When the prompt exceeds a tier's threshold, that tier's prices apply to the whole request.
    /// </summary>
    /// <remarks>The <c>…Above128K</c>/<c>…Above200K</c> properties are also honoured when no tier here has that threshold.</remarks>
    public IReadOnlyList<PriceTier> PriceTiers { get; init; } = [];

    public int? OutputVectorSize { get; init; }

    /// <summary>Gets the context window (the maximum input tokens), when known.</summary>
    public int? ContextWindow => MaxInputTokens;

    public bool SupportsFunctionCalling => Supports(ModelCapabilities.FunctionCalling);

    public bool SupportsParallelFunctionCalling => Supports(ModelCapabilities.ParallelFunctionCalling);

    public bool SupportsToolChoice => Supports(ModelCapabilities.ToolChoice);

    public bool SupportsVision => Supports(ModelCapabilities.Vision);

    public bool SupportsResponseSchema => Supports(ModelCapabilities.ResponseSchema);

    public bool SupportsSystemMessages => Supports(ModelCapabilities.SystemMessages);

    public bool SupportsPromptCaching => Supports(ModelCapabilities.PromptCaching);

    public bool SupportsReasoning => Supports(ModelCapabilities.Reasoning);

    public bool SupportsPdfInput => Supports(ModelCapabilities.PdfInput);

    public bool SupportsAudioInput => Supports(ModelCapabilities.AudioInput);

    public bool SupportsAudioOutput => Supports(ModelCapabilities.AudioOutput);

    public bool SupportsWebSearch => Supports(ModelCapabilities.WebSearch);

    /// <summary>Gets the capability flags (LiteLLM's <c>supports_*</c> names without the prefix: <c>function_calling</c>, <c>vision</c>, …).</summary>
    public IReadOnlySet<string> Capabilities { get; init; } = new HashSet<string>();

    /// <summary>Gets a value indicating whether the model has the capability (e.g. <c>vision</c>).</summary>
    public bool Supports(string capability) => Capabilities.Contains(capability);
}
