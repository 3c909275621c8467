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

    public int? OutputVectorSize { get; init; }

    /// <summary>Gets the capability flags (LiteLLM's <c>supports_*</c> names without the prefix: <c>function_calling</c>, <c>vision</c>, …).</summary>
    public IReadOnlySet<string> Capabilities { get; init; } = new HashSet<string>();

    /// <summary>Gets a value indicating whether the model has the capability (e.g. <c>vision</c>).</summary>
    public bool Supports(string capability) => Capabilities.Contains(capability);
}
