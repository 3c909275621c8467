using LiteLlm.Cost;
using LiteLlm.Models;

namespace LiteLlm.Tests.Cost;

public sealed class CostCalculatorTests
{
    private static ModelInfo Model(string name) => ModelCatalog.Default.Lookup(name) ?? throw new InvalidOperationException(name);

    [Fact]
    public void Gpt4oMini_InputAndOutput()
    {
        var m = Model("gpt-4o-mini");
        Assert.Equal(0.00000015m, m.InputCostPerToken);
        Assert.Equal(0.0000006m, m.OutputCostPerToken);

        // 1000 × 0.00000015 + 500 × 0.0000006
        Assert.Equal(0.00045m, CostCalculator.Calculate(m, new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 }));
    }

    [Fact]
    public void Gpt4oMini_CachedTokensAreInsideInputAndPricedAtCacheRead()
    {
        var m = Model("gpt-4o-mini");
        Assert.Equal(0.000000075m, m.CacheReadInputTokenCost);
        var usage = new UsageDetails { InputTokenCount = 1000, CachedInputTokenCount = 400, OutputTokenCount = 500 };

        // 600 × 0.00000015 + 400 × 0.000000075 + 500 × 0.0000006 = 0.00009 + 0.00003 + 0.0003
        Assert.Equal(0.00042m, CostCalculator.Calculate(m, usage));
    }

    [Fact]
    public void Claude_CacheReadAndCacheCreation()
    {
        var m = Model("claude-haiku-4-5");
        Assert.Equal((0.000001m, 0.000005m, 0.0000001m, 0.00000125m), (m.InputCostPerToken!.Value, m.OutputCostPerToken!.Value, m.CacheReadInputTokenCost!.Value, m.CacheCreationInputTokenCost!.Value));
        var usage = new UsageDetails
        {
            InputTokenCount = 3000, // 1500 fresh + 1000 read from cache + 500 written to it
            CachedInputTokenCount = 1000,
            OutputTokenCount = 200,
            AdditionalCounts = new() { [CostCalculator.CacheCreationInputTokens] = 500 },
        };

        // 1500 × 0.000001 + 1000 × 0.0000001 + 500 × 0.00000125 + 200 × 0.000005 = 0.0015 + 0.0001 + 0.000625 + 0.001
        Assert.Equal(0.003225m, CostCalculator.Calculate(m, usage));
    }

    [Fact]
    public void OSeries_ReasoningTokensArePartOfOutputAndNotCountedTwice()
    {
        var m = Model("o3-mini");
        Assert.Null(m.OutputCostPerReasoningToken);
        var usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 1000, ReasoningTokenCount = 800 };

        // 100 × 0.0000011 + 1000 × 0.0000044
        Assert.Equal(0.00451m, CostCalculator.Calculate(m, usage));
    }

    [Fact]
    public void ReasoningPrice_AppliesToReasoningTokensOnly()
    {
        var m = new ModelInfo { Name = "thinker", Provider = "test", InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000002m, OutputCostPerReasoningToken = 0.00001m };
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 100, ReasoningTokenCount = 60 };

        // 10 × 0.000001 + 40 × 0.000002 + 60 × 0.00001
        Assert.Equal(0.00069m, CostCalculator.Calculate(m, usage));
    }

    [Fact]
    public void Above200k_TierPricesTheWholeRequest()
    {
        var m = Model("claude-sonnet-4-20250514");
        var tier = Assert.Single(m.PriceTiers);
        Assert.Equal(new PriceTier(200_000, 0.000006m, 0.0000225m, 0.0000006m, 0.0000075m), tier);
        var usage = new UsageDetails { InputTokenCount = 250_000, CachedInputTokenCount = 10_000, OutputTokenCount = 1_000 };

        // 240000 × 0.000006 + 10000 × 0.0000006 + 1000 × 0.0000225 = 1.44 + 0.006 + 0.0225
        Assert.Equal(1.4685m, CostCalculator.Calculate(m, usage));

        // Exactly at the threshold the base prices apply: 200000 × 0.000003 + 1000 × 0.000015
        Assert.Equal(0.615m, CostCalculator.Calculate(m, 200_000, 1_000));
    }

    [Fact]
    public void Above272k_TierOfGpt54()
    {
        var m = Model("gpt-5.4");
        Assert.Equal(272_000, Assert.Single(m.PriceTiers).AboveInputTokens);
        Assert.Equal(1.5m, CostCalculator.Calculate(m, 300_000, 0)); // 300000 × 0.000005
        Assert.Equal(0.675m, CostCalculator.Calculate(m, 270_000, 0)); // 270000 × 0.0000025
    }

    [Fact]
    public void HandRegisteredNamedTierProperties_AreHonoured()
    {
        var m = new ModelInfo { Name = "long", Provider = "test", InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000001m, InputCostPerTokenAbove128K = 0.000002m };
        Assert.Equal(0.3m, CostCalculator.Calculate(m, 150_000, 0));
    }

    [Fact]
    public void UnknownModelOrPrice_IsNullNotZero()
    {
        var calculator = CostCalculator.Default;
        var usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 };
        Assert.Null(calculator.GetCost(usage, "openai", "no-such-model-xyz"));
        Assert.Null(calculator.GetCost(null, "openai", "gpt-4o-mini"));
        Assert.Null(CostCalculator.Calculate(new ModelInfo { Name = "free?", Provider = "x" }, usage));
        Assert.Null(CostCalculator.Calculate(Model("gpt-4o-mini"), new UsageDetails()));
    }

    [Fact]
    public void Response_IsPricedByProviderAndServedModel_FallingBackToRequested()
    {
        var usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 };
        var served = new ChatResponse { ModelId = "gpt-4o-mini-2024-07-18", Usage = usage, AdditionalProperties = new() { [ResponseProperties.Provider] = "openai" } };
        Assert.Equal(0.00045m, CostCalculator.Default.GetCost(served, requestedModel: "my-alias"));

        var unknownServed = new ChatResponse { ModelId = "gpt-4o-mini-from-the-future", Usage = usage, AdditionalProperties = new() { [ResponseProperties.Provider] = "openai" } };
        Assert.Equal(0.00045m, CostCalculator.Default.GetCost(unknownServed, requestedModel: "openai/gpt-4o-mini"));

        var gemini = new ChatResponse { ModelId = "gemini-2.5-pro", Usage = usage, AdditionalProperties = new() { [ResponseProperties.Provider] = "gemini" } };
        Assert.Equal((1000 * 0.00000125m) + (500 * 0.00001m), CostCalculator.Default.GetCost(gemini));
    }

    [Fact]
    public void RegisteredModels_OverrideTheCatalog()
    {
        var catalog = new ModelCatalog();
        catalog.Register(new ModelInfo { Name = "gpt-4o-mini", Provider = "openai", InputCostPerToken = 0.001m, OutputCostPerToken = 0.002m });
        catalog.Register(new ModelInfo { Name = "acme/tiny", Provider = "acme", InputCostPerToken = 0.0001m, OutputCostPerToken = 0.0001m });
        var calculator = new CostCalculator(catalog);
        Assert.Equal(2m, calculator.GetCost(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 500 }, "openai", "gpt-4o-mini"));
        Assert.Equal(0.2m, calculator.GetCost(new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 1000 }, "acme", "tiny"));
    }
}
