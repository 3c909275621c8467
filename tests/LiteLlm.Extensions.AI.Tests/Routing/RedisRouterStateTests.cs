using LiteLlm.Errors;
using LiteLlm.Routing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LiteLlm.Tests.Routing;

/// <summary>Two routers (two gateway replicas) sharing one real Redis agree on usage and cooldowns.</summary>
public sealed class RedisRouterStateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoRouters_ShareRpmUsageAndCooldowns()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisOrSkip());
        var prefix = "litellm:test:" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        (LiteLlmRouter Router, ScriptedChatClient A, ScriptedChatClient B) Replica()
        {
            var a = new ScriptedChatClient("a");
            var b = new ScriptedChatClient("b");
            var router = new LiteLlmRouter(new RouterOptions
            {
                TimeProvider = time,
                StateStore = new RedisRouterStateStore(redis, prefix, time),
                CooldownTime = TimeSpan.FromSeconds(60),
                Deployments =
                [
                    new Deployment { ModelGroup = "g", Model = "mock/a", Client = a, Id = "a", Rpm = 4, Order = 1 },
                    new Deployment { ModelGroup = "g", Model = "mock/b", Client = b, Id = "b", Order = 2 },
                ],
            });
            return (router, a, b);
        }

        var one = Replica();
        var two = Replica();

        // a's rpm of 4 is shared: 2 calls on each replica use it up; the fifth goes to b.
        for (var i = 0; i < 2; i++)
        {
            await one.Router.GetResponseAsync("x", cancellationToken: Ct);
            await two.Router.GetResponseAsync("x", cancellationToken: Ct);
        }

        Assert.Equal(4, one.A.Calls + two.A.Calls);
        Assert.Equal("b", (await one.Router.GetResponseAsync("x", cancellationToken: Ct)).Text);

        // A new minute; replica one sees a 429 from a and cools it down for both replicas.
        time.Advance(TimeSpan.FromMinutes(1));
        one.A.OnCall = (_, _) => Task.FromException<ChatResponse>(new RateLimitException(new ProviderErrorDetails("mock", "a", 429, "slow down")));
        Assert.Equal("b", (await one.Router.GetResponseAsync("x", cancellationToken: Ct)).Text);
        var callsOnTwoBefore = two.A.Calls;
        Assert.Equal("b", (await two.Router.GetResponseAsync("x", cancellationToken: Ct)).Text);
        Assert.Equal(callsOnTwoBefore, two.A.Calls); // replica two skipped the cooled deployment without trying it

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("a", (await two.Router.GetResponseAsync("x", cancellationToken: Ct)).Text);
    }
}
