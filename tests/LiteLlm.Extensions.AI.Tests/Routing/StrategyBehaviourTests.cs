using LiteLlm.Routing;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Routing;

/// <summary>
/// Each strategy under a controlled workload, with the deployment it should prefer placed last: each test fails when
/// the strategy is replaced by "the first deployment".
/// </summary>
public sealed class StrategyBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ChatResponse Answer(string name, long tokens = 15)
        => new(new ChatMessage(ChatRole.Assistant, name)) { Usage = new() { InputTokenCount = tokens / 2, OutputTokenCount = tokens - (tokens / 2), TotalTokenCount = tokens } };

    [Fact]
    public async Task LatencyBased_SendsMostTrafficToTheFastest_AfterWarmUp()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var latencies = new Dictionary<string, TimeSpan> { ["slow"] = TimeSpan.FromMilliseconds(900), ["medium"] = TimeSpan.FromMilliseconds(400), ["fast"] = TimeSpan.FromMilliseconds(60) };
        var clients = latencies.Keys.Select(name => new ScriptedChatClient(name)).ToArray();
        foreach (var client in clients)
        {
            client.OnCall = (_, _) =>
            {
                time.Advance(latencies[client.Name]); // the call takes this long on the router's clock
                return Task.FromResult(Answer(client.Name));
            };
        }

        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.LatencyBased,
            TimeProvider = time,
            Deployments = [.. clients.Select(c => new Deployment { ModelGroup = "g", Model = "mock/" + c.Name, Client = c, Id = c.Name })],
        });

        for (var i = 0; i < 10; i++)
        {
            await router.GetResponseAsync("warm up", cancellationToken: Ct);
        }

        var before = clients.ToDictionary(c => c.Name, c => c.Calls);
        for (var i = 0; i < 100; i++)
        {
            await router.GetResponseAsync("hi", cancellationToken: Ct);
        }

        var fast = clients.Single(c => c.Name == "fast").Calls - before["fast"];
        Assert.True(fast >= 80, $"the fastest deployment took {fast} of 100 requests");
        Assert.All(clients, c => Assert.True(c.Calls > 0, $"{c.Name} was never measured")); // every deployment was tried during warm-up
    }

    [Fact]
    public async Task LatencyBased_Streaming_UsesTimeToFirstToken()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var firstToken = new Dictionary<string, TimeSpan> { ["slow-start"] = TimeSpan.FromMilliseconds(800), ["quick-start"] = TimeSpan.FromMilliseconds(50) };
        var clients = firstToken.Keys.Select(name => new ScriptedChatClient(name)).ToArray();
        foreach (var client in clients)
        {
            client.OnStream = (_, _) => Stream(client.Name);
        }

        async IAsyncEnumerable<ChatResponseUpdate> Stream(string name)
        {
            await Task.Yield();
            time.Advance(firstToken[name]);
            yield return new ChatResponseUpdate(ChatRole.Assistant, name);
            time.Advance(TimeSpan.FromSeconds(name == "quick-start" ? 5 : 0)); // a long answer after a quick start still wins on first token
            yield return new ChatResponseUpdate(ChatRole.Assistant, ".") { FinishReason = ChatFinishReason.Stop };
        }

        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.LatencyBased,
            TimeProvider = time,
            Deployments = [.. clients.Select(c => new Deployment { ModelGroup = "g", Model = "mock/" + c.Name, Client = c, Id = c.Name })],
        });

        for (var i = 0; i < 50; i++)
        {
            await foreach (var _ in router.GetStreamingResponseAsync("hi", cancellationToken: Ct))
            {
            }
        }

        Assert.True(clients[1].Calls >= 45, $"quick-start took {clients[1].Calls} of 50 streams");
    }

    [Fact]
    public async Task CostBased_PicksTheCheapestByCatalogPrice()
    {
        // Catalog prices: gpt-4o > claude-3-haiku > gpt-4o-mini. The cheapest is listed last.
        string[] models = ["openai/gpt-4o", "anthropic/claude-3-haiku-20240307", "openai/gpt-4o-mini"];
        var clients = models.Select(m => new ScriptedChatClient(m)).ToArray();
        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.CostBased,
            Deployments = [.. clients.Select(c => new Deployment { ModelGroup = "g", Model = c.Name, Client = c, Id = c.Name })],
        });
        var prices = router.DeploymentsOf("g").Select(d => d.CostPerToken).ToArray();
        Assert.All(prices, p => Assert.NotNull(p));
        Assert.Equal(prices.Min(), prices[2]);

        for (var i = 0; i < 30; i++)
        {
            await router.GetResponseAsync("hi", cancellationToken: Ct);
        }

        Assert.Equal(30, clients[2].Calls);
    }

    [Fact]
    public async Task CostBased_UsesTheConfiguredPrice_AndSkipsAnUnavailableCheapest()
    {
        var cheap = new ScriptedChatClient("cheap") { OnCall = (_, _) => Task.FromException<ChatResponse>(LiteLlm.Errors.ErrorMapper.Classify(new LiteLlm.Errors.ProviderErrorDetails("mock", "m", 429, "slow down"), null)) };
        var dear = new ScriptedChatClient("dear");
        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.CostBased,
            Deployments = [new Deployment { ModelGroup = "g", Model = "openai/gpt-4o", Client = dear, Id = "dear" }, new Deployment { ModelGroup = "g", Model = "openai/gpt-4o-mini", Client = cheap, Id = "cheap" }],
        });

        Assert.Equal("dear", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text); // cheapest failed with 429, cooled down
        Assert.Equal("dear", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text);
        Assert.Equal(1, cheap.Calls);
    }

    [Fact]
    public async Task UsageBased_SendsEachRequestToTheLeastUsedByTokens()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new InMemoryRouterStateStore();
        string[] names = ["busy", "half", "idle"];
        var clients = names.Select(n => new ScriptedChatClient(n) { OnCall = (_, _) => Task.FromResult(Answer(n, tokens: 1000)) }).ToArray();
        await store.AddUsageAsync("busy", 0, 5000, time.GetUtcNow(), Ct);
        await store.AddUsageAsync("half", 0, 3000, time.GetUtcNow(), Ct);
        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.UsageBased,
            TimeProvider = time,
            StateStore = store,
            Deployments = [.. clients.Select(c => new Deployment { ModelGroup = "g", Model = "mock/" + c.Name, Client = c, Id = c.Name })],
        });

        for (var i = 0; i < 3; i++)
        {
            await router.GetResponseAsync("hi", cancellationToken: Ct);
        }

        Assert.Equal(3, clients[2].Calls); // idle catches up with half first

        for (var i = 0; i < 27; i++)
        {
            await router.GetResponseAsync("hi", cancellationToken: Ct);
        }

        var usage = await store.GetAsync(names, time.GetUtcNow(), Ct);
        Assert.True(usage.Max(u => u.Tokens) - usage.Min(u => u.Tokens) <= 1000, "usage stays level: " + string.Join(", ", usage.Select(u => u.Tokens)));
        Assert.InRange(clients[0].Calls, 6, 9); // busy started five requests' worth ahead: about 7-8 of 30
    }

    [Fact]
    public async Task LeastBusy_AvoidsTheDeploymentsWithCallsInFlight()
    {
        string[] names = ["a", "b", "c"];
        var clients = names.Select(n => new ScriptedChatClient(n)).ToArray();
        var hold = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        clients[0].OnCall = (_, _) => hold.Task; // a and b stay busy
        clients[1].OnCall = (_, _) => hold.Task;
        var router = new LiteLlmRouter(new RouterOptions
        {
            RoutingStrategy = RoutingStrategies.LeastBusy,
            Deployments = [.. clients.Select(c => new Deployment { ModelGroup = "g", Model = "mock/" + c.Name, Client = c, Id = c.Name })],
        });

        // Until a and b each hold a call, calls spread over the idle ones; then every further call goes to idle c.
        var pending = new List<Task<ChatResponse>>();
        while (router.DeploymentsOf("g")[0].InFlight < 1 || router.DeploymentsOf("g")[1].InFlight < 1)
        {
            pending.Add(router.GetResponseAsync("hold", cancellationToken: Ct));
            Assert.True(pending.Count < 50, "least-busy did not spread the held calls");
        }

        var before = clients[2].Calls;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("c", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text);
        }

        Assert.Equal(before + 20, clients[2].Calls);
        hold.SetResult(Answer("held"));
        await Task.WhenAll(pending);
    }
}
