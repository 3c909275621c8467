using LiteLlm.Caching;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.AI;

/// <summary>Adds the LiteLLM response cache to a chat pipeline.</summary>
public static class ResponseCachingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ResponseCachingChatClient"/> to the pipeline. Register the cache with
    /// <c>services.AddHybridCache()</c>; add <c>services.AddStackExchangeRedisCache(...)</c> for a shared Redis tier.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="cache">The cache; <see langword="null"/> resolves <see cref="HybridCache"/> from the services.</param>
    /// <param name="configure">Changes the cache settings.</param>
    /// <returns>The <paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseResponseCaching(this ChatClientBuilder builder, HybridCache? cache = null, Action<ResponseCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new ResponseCacheOptions();
            configure?.Invoke(options);
            return new ResponseCachingChatClient(inner, cache ?? services.GetRequiredService<HybridCache>(), options);
        });
    }
}
