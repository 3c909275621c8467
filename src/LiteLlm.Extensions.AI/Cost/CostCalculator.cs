using LiteLlm.Models;
using Microsoft.Extensions.AI;

namespace LiteLlm.Cost;

/// <summary>
/// Prices calls in USD (<see cref="decimal"/>) from <see cref="UsageDetails"/> and the <see cref="ModelCatalog"/>,
/// the way LiteLLM's <c>completion_cost</c> does.
/// </summary>
/// <remarks>
/// <para>Usage is read with OpenAI's semantics:</para>
/// <list type="bullet">
/// <item><see cref="UsageDetails.InputTokenCount"/> includes cached input: <see cref="UsageDetails.CachedInputTokenCount"/>
/// (priced at the cache-read price) and <c>AdditionalCounts["CacheCreationInputTokens"]</c> (priced at the cache-creation
/// price); the rest is priced at the input price. A missing cache price falls back to the input price. The part of the cache
/// writes kept for one hour, <c>AdditionalCounts["CacheCreation1HourInputTokens"]</c> (Anthropic's
/// <c>cache_creation.ephemeral_1h_input_tokens</c>), is priced at the 1-hour write price
/// (<c>cache_creation_input_token_cost_above_1hr</c>) when the model has one.</item>
/// <item><see cref="UsageDetails.ReasoningTokenCount"/> is part of <see cref="UsageDetails.OutputTokenCount"/>: it is priced
/// at the reasoning price when the model has one, otherwise with the rest of the output.</item>
/// <item>Long-context tiers: when the input tokens are strictly more than a tier's threshold, the highest such tier's prices
/// apply to the whole request (input, cached input and output), as LiteLLM and the providers bill it.</item>
/// </list>
/// <para>A cost is never guessed: an unknown model, no usage, or a needed price the catalog lacks gives
/// <see langword="null"/> (unknown), never 0.</para>
/// </remarks>
public sealed class CostCalculator
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key for input tokens written to the prompt cache.</summary>
    public const string CacheCreationInputTokens = Providers.UsageCounts.CacheCreationInputTokens;

    /// <summary>
    /// The <see cref="UsageDetails.AdditionalCounts"/> key for the part of <see cref="CacheCreationInputTokens"/> written to
    /// the prompt cache for one hour (not a separate count: it is included in <see cref="CacheCreationInputTokens"/>).
    /// </summary>
    public const string CacheCreation1HourInputTokens = Providers.UsageCounts.CacheCreation1HourInputTokens;

    /// <summary>Initializes a calculator over <paramref name="catalog"/> (default: <see cref="ModelCatalog.Default"/>).</summary>
    public CostCalculator(ModelCatalog? catalog = null) => Catalog = catalog ?? ModelCatalog.Default;

    /// <summary>Gets the calculator over <see cref="ModelCatalog.Default"/>.</summary>
    public static CostCalculator Default { get; } = new();

    /// <summary>Gets the catalog prices come from.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>
    /// Prices a response: the model is looked up by the provider stamped on it (<see cref="ResponseProperties.Provider"/>)
    /// and the model id it carries, falling back to <paramref name="requestedModel"/>.
    /// </summary>
    /// <returns>The cost in USD, or <see langword="null"/> when it cannot be known.</returns>
    public decimal? GetCost(ChatResponse response, string? requestedModel = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var provider = response.AdditionalProperties?.TryGetValue(ResponseProperties.Provider, out var p) == true ? p as string : null;
        return GetCost(response.Usage, provider, response.ModelId, requestedModel);
    }

    /// <summary>Prices <paramref name="usage"/> for a model found by <see cref="ModelCatalog.Lookup(string?, string?, string?)"/>.</summary>
    public decimal? GetCost(UsageDetails? usage, string? provider, string? servedModel, string? requestedModel = null)
        => usage is null || Catalog.Lookup(provider, servedModel, requestedModel) is not { } model ? null : Calculate(model, usage);

    /// <summary>Prices <paramref name="usage"/> with <paramref name="model"/>'s prices (see the class remarks for the rules).</summary>
    public static decimal? Calculate(ModelInfo model, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.InputTokenCount is null && usage.OutputTokenCount is null)
        {
            return null;
        }

        var input = Math.Max(0, usage.InputTokenCount ?? 0);
        var output = Math.Max(0, usage.OutputTokenCount ?? 0);
        var cached = Math.Clamp(usage.CachedInputTokenCount ?? 0, 0, input);
        var created = Math.Clamp(usage.AdditionalCounts?.TryGetValue(CacheCreationInputTokens, out var c) == true ? c : 0, 0, input - cached);
        var createdForAnHour = Math.Clamp(usage.AdditionalCounts?.TryGetValue(CacheCreation1HourInputTokens, out var h) == true ? h : 0, 0, created);
        var fresh = input - cached - created;
        var reasoning = Math.Clamp(usage.ReasoningTokenCount ?? 0, 0, output);

        var prices = PricesFor(model, input);
        var inputCost = Price(fresh, prices.Input);
        var cachedCost = Price(cached, prices.CacheRead ?? prices.Input);
        var createdCost = Price(created - createdForAnHour, prices.CacheCreation ?? prices.Input)
            + Price(createdForAnHour, model.CacheCreationInputTokenCostAbove1Hour ?? prices.CacheCreation ?? prices.Input);
        decimal? outputCost = model.OutputCostPerReasoningToken is { } reasoningPrice && reasoning > 0
            ? Price(output - reasoning, prices.Output) + (reasoning * reasoningPrice)
            : Price(output, prices.Output);

        return inputCost + cachedCost + createdCost + outputCost;
    }

    /// <summary>Prices a plain token count (LiteLLM's <c>cost_per_token</c>), tiers included; <see langword="null"/> when a needed price is unknown.</summary>
    public static decimal? Calculate(ModelInfo model, long inputTokens, long outputTokens)
        => Calculate(model, new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = outputTokens });

    /// <summary>Gets the prices that apply to a request with <paramref name="inputTokens"/> input tokens.</summary>
    internal static EffectivePrices PricesFor(ModelInfo model, long inputTokens)
    {
        var prices = new EffectivePrices(model.InputCostPerToken, model.OutputCostPerToken, model.CacheReadInputTokenCost, model.CacheCreationInputTokenCost);
        if (model.PriceTiers.Count == 0 && model.InputCostPerTokenAbove128K is null && model.OutputCostPerTokenAbove128K is null
            && model.InputCostPerTokenAbove200K is null && model.OutputCostPerTokenAbove200K is null)
        {
            return prices; // no tiers (most models): no iterator to allocate
        }

        PriceTier? best = null;
        foreach (var tier in Tiers(model))
        {
            if (inputTokens > tier.AboveInputTokens && (best is null || tier.AboveInputTokens > best.AboveInputTokens))
            {
                best = tier;
            }
        }

        return best is null ? prices : new EffectivePrices(
            best.InputCostPerToken ?? prices.Input,
            best.OutputCostPerToken ?? prices.Output,
            best.CacheReadInputTokenCost ?? prices.CacheRead,
            best.CacheCreationInputTokenCost ?? prices.CacheCreation);
    }

    private static IEnumerable<PriceTier> Tiers(ModelInfo model)
    {
        foreach (var tier in model.PriceTiers)
        {
            yield return tier;
        }

        // Entries registered by hand may set only the named 128k/200k properties.
        if (model.InputCostPerTokenAbove128K is not null || model.OutputCostPerTokenAbove128K is not null)
        {
            if (!model.PriceTiers.Any(t => t.AboveInputTokens == 128_000))
            {
                yield return new PriceTier(128_000, model.InputCostPerTokenAbove128K, model.OutputCostPerTokenAbove128K);
            }
        }

        if (model.InputCostPerTokenAbove200K is not null || model.OutputCostPerTokenAbove200K is not null)
        {
            if (!model.PriceTiers.Any(t => t.AboveInputTokens == 200_000))
            {
                yield return new PriceTier(200_000, model.InputCostPerTokenAbove200K, model.OutputCostPerTokenAbove200K,
                    model.CacheReadInputTokenCostAbove200K, model.CacheCreationInputTokenCostAbove200K);
            }
        }
    }

    // No tokens cost nothing even at an unknown price; tokens at an unknown price make the whole cost unknown.
    private static decimal? Price(long tokens, decimal? price) => tokens == 0 ? 0m : tokens * price;

    internal readonly record struct EffectivePrices(decimal? Input, decimal? Output, decimal? CacheRead, decimal? CacheCreation);
}
