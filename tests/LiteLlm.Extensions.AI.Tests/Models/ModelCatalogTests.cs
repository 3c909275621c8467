using LiteLlm.Models;

namespace LiteLlm.Tests.Models;

public sealed class ModelCatalogTests
{
    [Fact]
    public void CatalogAnswersCapabilityAndContextQueries()
    {
        var catalog = ModelCatalog.Default;
        Assert.True(catalog.Supports("gpt-4o", ModelCapabilities.Vision));
        Assert.True(catalog.Supports("openai/gpt-4o-mini", ModelCapabilities.FunctionCalling));
        Assert.True(catalog.Lookup("claude-sonnet-4-20250514")!.SupportsPromptCaching);
        Assert.True(catalog.Lookup("gpt-4o-mini")!.SupportsResponseSchema);
        Assert.False(catalog.Supports("no-such-model-xyz", ModelCapabilities.Vision));
        Assert.Equal(128_000, catalog.GetContextWindow("gpt-4o-mini"));
        Assert.Equal(16_384, catalog.GetMaxOutputTokens("gpt-4o-mini"));
        Assert.Equal((0.00000015m, 0.0000006m), catalog.GetCostPerToken("gpt-4o-mini"));
        Assert.Null(catalog.GetContextWindow("no-such-model-xyz"));
    }

    [Fact]
    public void LookupForACall_PrefersTheServedModelUnderItsProvider()
    {
        var catalog = ModelCatalog.Default;
        Assert.Equal("gpt-4o-mini-2024-07-18", catalog.Lookup("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini")!.Name);
        Assert.Equal("gpt-4o-mini", catalog.Lookup("openai", "unknown-snapshot", "openai/gpt-4o-mini")!.Name);
        Assert.Equal("gemini/gemini-2.5-pro", catalog.Lookup("gemini", "gemini-2.5-pro", null)!.Name);
        Assert.Null(catalog.Lookup("ollama", "gpt-4o-mini", null)); // another provider's price is not this one's
    }
}
