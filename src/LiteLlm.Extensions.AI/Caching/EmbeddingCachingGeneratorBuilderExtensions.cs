using LiteLlm.Caching;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the LiteLLM per-input embedding cache to an embedding pipeline.</summary>
public static class EmbeddingCachingGeneratorBuilderExtensions
{
    /// <summary>Adds an <see cref="EmbeddingCachingGenerator"/> to the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="cache">The cache; <see langword="null"/> resolves <see cref="HybridCache"/> from the services.</param>
    /// <param name="configure">Changes the cache settings.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseResponseCaching(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, HybridCache? cache = null, Action<ResponseCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new ResponseCacheOptions();
            configure?.Invoke(options);
            return new EmbeddingCachingGenerator(inner, cache ?? services.GetRequiredService<HybridCache>(), options);
        });
    }
}
