using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Internal;

namespace LiteLlm.Tests.Caching;

internal static class CacheTestHelpers
{
    /// <summary>A fresh in-memory HybridCache (its own L1), optionally on a fake clock and with extra services (e.g. Redis).</summary>
    public static HybridCache NewCache(TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
            services.AddMemoryCache(o => o.Clock = new TimeProviderClock(time));
        }

        configure?.Invoke(services);
        services.AddHybridCache();
        return services.BuildServiceProvider().GetRequiredService<HybridCache>();
    }

    public static ChatOptions WithCache(this ChatOptions options, object control)
    {
        (options.AdditionalProperties ??= [])["cache"] = control;
        return options;
    }

#pragma warning disable CS0618 // MemoryCache still takes its clock as ISystemClock
    private sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
