namespace LiteLlm.Models;

/// <summary>
/// Prices (USD per token) that replace the base prices when the prompt is longer than
/// <see cref="AboveInputTokens"/> (e.g. Claude Sonnet 4 and Gemini 2.5 Pro above 200k, GPT-5.4 above 272k).
/// A <see langword="null"/> price falls back to the model's base price.
/// </summary>
/// <param name="AboveInputTokens">The threshold: the tier applies when input tokens are strictly more than this.</param>
/// <param name="InputCostPerToken">The input price in the tier.</param>
/// <param name="OutputCostPerToken">The output price in the tier.</param>
/// <param name="CacheReadInputTokenCost">The cached-input price in the tier.</param>
/// <param name="CacheCreationInputTokenCost">The cache-write price in the tier.</param>
public sealed record PriceTier(
    long AboveInputTokens,
    decimal? InputCostPerToken = null,
    decimal? OutputCostPerToken = null,
    decimal? CacheReadInputTokenCost = null,
    decimal? CacheCreationInputTokenCost = null);
