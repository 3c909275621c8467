using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace LiteLlm.Tests.Caching;

/// <summary>Two processes' worth of clients, each with its own in-memory L1, sharing one real Redis L2.</summary>
public sealed class RedisResponseCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoClientsWithSeparateL1_ShareTheRedisTier()
    {
        var redis = TestServers.RedisOrSkip();
        var prefix = $"litellm-test-{Guid.NewGuid():N}:";
        void Redis(IServiceCollection services) => services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis;
            o.InstanceName = prefix;
        });

        var innerA = TestChatClient.Answering("from A");
        var innerB = TestChatClient.Answering("from B");
        var clientA = innerA.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache(configure: Redis)).Build();
        var clientB = innerB.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache(configure: Redis)).Build();

        var first = await clientA.GetResponseAsync("shared question", cancellationToken: Ct);

        // HybridCache writes the distributed tier in the background: wait until the entry is in Redis.
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var server = connection.GetServers()[0];
        for (var i = 0; i < 100 && !server.Keys(pattern: prefix + "*").Any(); i++)
        {
            await Task.Delay(50, Ct);
        }

        var second = await clientB.GetResponseAsync("shared question", cancellationToken: Ct);

        Assert.Equal(1, innerA.Calls);
        Assert.Equal(0, innerB.Calls);
        Assert.Equal("from A", first.Text);
        Assert.Equal("from A", second.Text);
        Assert.Equal(true, second.AdditionalProperties![ResponseProperties.CacheHit]);

        foreach (var key in server.Keys(pattern: prefix + "*"))
        {
            await connection.GetDatabase().KeyDeleteAsync(key);
        }
    }
}
