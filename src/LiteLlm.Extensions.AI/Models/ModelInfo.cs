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

    /// <summary>Gets the most input tokens the model takes (<c>max_input_tokens</c>), when known.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>Gets the most output tokens the model gives (<c>max_output_tokens</c>), when known.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets LiteLLM's <c>input_cost_per_token</c> (USD), when known.</summary>
    public decimal? InputCostPerToken { get; init; }

    /// <summary>Gets LiteLLM's <c>output_cost_per_token</c> (USD), when known.</summary>
    public decimal? OutputCostPerToken { get; init; }

    /// <summary>Gets LiteLLM's <c>output_cost_per_reasoning_token</c> (USD), when known.</summary>
    public decimal? OutputCostPerReasoningToken { get; init; }

    /// <summary>Gets LiteLLM's <c>cache_read_input_token_cost</c> (USD), when known.</summary>
    public decimal? CacheReadInputTokenCost { get; init; }

    /// <summary>Gets LiteLLM's <c>cache_creation_input_token_cost</c> (USD), when known.</summary>
    public decimal? CacheCreationInputTokenCost { get; init; }

    /// <summary>Gets the price of an input token written to a one-hour prompt cache (<c>cache_creation_input_token_cost_above_1hr</c>), when known.</summary>
    public decimal? CacheCreationInputTokenCostAbove1Hour { get; init; }

    /// <summary>Gets LiteLLM's <c>input_cost_per_token_above128k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? InputCostPerTokenAbove128K { get; init; }

    /// <summary>Gets LiteLLM's <c>output_cost_per_token_above128k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? OutputCostPerTokenAbove128K { get; init; }

    /// <summary>Gets LiteLLM's <c>input_cost_per_token_above200k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? InputCostPerTokenAbove200K { get; init; }

    /// <summary>Gets LiteLLM's <c>output_cost_per_token_above200k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? OutputCostPerTokenAbove200K { get; init; }

    /// <summary>Gets LiteLLM's <c>cache_read_input_token_cost_above200k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? CacheReadInputTokenCostAbove200K { get; init; }

    /// <summary>Gets LiteLLM's <c>cache_creation_input_token_cost_above200k_tokens</c> (USD; the whole request when the prompt is over the threshold), when known.</summary>
    public decimal? CacheCreationInputTokenCostAbove200K { get; init; }

    /// <summary>
    /// Gets the long-context price tiers (LiteLLM's <c>*_above_&lt;N&gt;k_tokens</c> prices), ascending by threshold.
    /// When the prompt exceeds a tier's threshold, that tier's prices apply to the whole request.
    /// </summary>
    /// <remarks>The <c>…Above128K</c>/<c>…Above200K</c> properties are also honoured when no tier here has that threshold.</remarks>
    public IReadOnlyList<PriceTier> PriceTiers { get; init; } = [];

    /// <summary>Gets an embedding model's vector length (<c>output_vector_size</c>), when known.</summary>
    public int? OutputVectorSize { get; init; }

    /// <summary>Gets the context window (the maximum input tokens), when known.</summary>
    public int? ContextWindow => MaxInputTokens;

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_function_calling</c>.</summary>
    public bool SupportsFunctionCalling => Supports(ModelCapabilities.FunctionCalling);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_parallel_function_calling</c>.</summary>
    public bool SupportsParallelFunctionCalling => Supports(ModelCapabilities.ParallelFunctionCalling);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_tool_choice</c>.</summary>
    public bool SupportsToolChoice => Supports(ModelCapabilities.ToolChoice);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_vision</c>.</summary>
    public bool SupportsVision => Supports(ModelCapabilities.Vision);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_response_schema</c>.</summary>
    public bool SupportsResponseSchema => Supports(ModelCapabilities.ResponseSchema);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_system_messages</c>.</summary>
    public bool SupportsSystemMessages => Supports(ModelCapabilities.SystemMessages);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_prompt_caching</c>.</summary>
    public bool SupportsPromptCaching => Supports(ModelCapabilities.PromptCaching);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_reasoning</c>.</summary>
    public bool SupportsReasoning => Supports(ModelCapabilities.Reasoning);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_pdf_input</c>.</summary>
    public bool SupportsPdfInput => Supports(ModelCapabilities.PdfInput);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_audio_input</c>.</summary>
    public bool SupportsAudioInput => Supports(ModelCapabilities.AudioInput);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_audio_output</c>.</summary>
    public bool SupportsAudioOutput => Supports(ModelCapabilities.AudioOutput);

    /// <summary>Gets a value indicating whether the catalog marks the model <c>supports_web_search</c>.</summary>
    public bool SupportsWebSearch => Supports(ModelCapabilities.WebSearch);

    /// <summary>Gets the capability flags (LiteLLM's <c>supports_*</c> names without the prefix: <c>function_calling</c>, <c>vision</c>, …).</summary>
    public IReadOnlySet<string> Capabilities { get; init; } = new HashSet<string>();

    /// <summary>Gets a value indicating whether the model has the capability (e.g. <c>vision</c>).</summary>
    public bool Supports(string capability) => Capabilities.Contains(capability);
}
