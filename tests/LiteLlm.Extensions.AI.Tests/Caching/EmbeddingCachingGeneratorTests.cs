namespace LiteLlm.Tests.Caching;

public sealed class EmbeddingCachingGeneratorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OnlyMissesGoUpstream_AndResultsKeepTheInputOrder()
    {
        var inner = new TestEmbeddingGenerator();
        var generator = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        await generator.GenerateAsync(["alpha", "beta"], cancellationToken: Ct);
        var second = await generator.GenerateAsync(["beta", "gamma", "alpha", "gamma"], cancellationToken: Ct);
        var third = await generator.GenerateAsync(["gamma", "alpha"], cancellationToken: Ct);

        Assert.Equal([["alpha", "beta"], ["gamma"]], inner.Calls);
        Assert.Equal(["b", "g", "a", "g"], second.Select(e => ((char)e.Vector.Span[1]).ToString()));
        Assert.Equal([5f, 5f], third.Select(e => e.Vector.Span[0]));
        Assert.Equal(true, third.AdditionalProperties![ResponseProperties.CacheHit]);
        Assert.Equal(0m, third.AdditionalProperties[ResponseProperties.Cost]);
    }

    [Fact]
    public async Task DifferentModelsOrDimensions_AreSeparateEntries()
    {
        var inner = new TestEmbeddingGenerator();
        var generator = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        await generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "a" }, Ct);
        await generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "b" }, Ct);
        await generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "a", Dimensions = 256 }, Ct);
        await generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "a" }, Ct);

        Assert.Equal(3, inner.Calls.Count);
    }
}
