using LiteLlm.Cost;
using LiteLlm.Errors;
using Microsoft.Extensions.Time.Testing;
using static LiteLlm.Tests.Cost.BudgetTestKit;

namespace LiteLlm.Tests.Cost;

public sealed class BudgetChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Estimate_IsPromptPlusMaxOutputAtCatalogPrices()
    {
        var manager = new BudgetManager([], catalog: Catalog());
        Assert.Equal(Estimate, manager.EstimateCost([new ChatMessage(ChatRole.User, "hi")], Options()));

        // Without MaxOutputTokens: the model's max output (1000) under the 4096 cap.
        Assert.Equal(0.001008m, manager.EstimateCost([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = Model }));
        Assert.Equal(0m, manager.EstimateCost([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "unpriced-model" }));
    }

    [Fact]
    public async Task AStoreThatFailsWhenSettling_DoesNotFailACallThatSucceeded()
    {
        var manager = new BudgetManager([Global(1m)], new SettleFailingStore(), catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(manager).Build();

        var response = await client.GetResponseAsync("hi", Options(), Ct);
        Assert.NotEmpty(response.Text);

        var updates = 0;
        await foreach (var update in client.GetStreamingResponseAsync("hi", Options(), Ct))
        {
            updates++;
        }

        Assert.True(updates > 0);
    }

    [Fact]
    public async Task ConcurrentRequests_InMemory_NeverOvershoot()
    {
        const decimal limit = 0.0025m;
        var manager = new BudgetManager([Global(limit)], new InMemoryBudgetStore(), catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.FromMilliseconds(5)).AsBuilder().UseBudgets(manager).Build();

        var (succeeded, refused) = await RunConcurrently(client, 200);

        var status = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        Assert.Equal(200, succeeded + refused);
        Assert.Equal(succeeded * CallCost, status.Spend);
        Assert.Equal(0m, status.Reserved);
        Assert.True(status.Spend <= limit + CallCost, $"spent {status.Spend} against {limit}");
        Assert.True(status.Spend <= limit); // estimates are upper bounds here, so not even one call over
        Assert.InRange(succeeded, (int)(limit / Estimate), (int)(limit / CallCost));
    }

    [Fact]
    public async Task ConcurrentRequests_Redis_NeverOvershoot()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestServers.RedisOrSkip());
        const decimal limit = 0.0025m;
        var store = new RedisBudgetStore(redis, $"{{litellm-test-{Guid.NewGuid():N}}}:");
        var manager = new BudgetManager([Global(limit, "1d"), new Budget("per-user", BudgetScope.User, 1m, "30d")], store, catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.FromMilliseconds(5)).AsBuilder().UseBudgets(manager).Build();

        var (succeeded, refused) = await RunConcurrently(client, 200);

        var status = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        var user = await manager.GetStatusAsync(manager.Budgets[1], "u", Ct);
        Assert.Equal(200, succeeded + refused);
        Assert.Equal(succeeded * CallCost, status.Spend);
        Assert.Equal(status.Spend, user.Spend);
        Assert.Equal(0m, status.Reserved);
        Assert.True(status.Spend <= limit + CallCost, $"spent {status.Spend} against {limit}");
        Assert.InRange(succeeded, (int)(limit / Estimate), (int)(limit / CallCost));
    }

    [Fact]
    public async Task TwoClientsSharingRedis_SeeEachOthersSpend()
    {
        var configuration = TestServers.RedisOrSkip();
        using var redisA = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
        using var redisB = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
        var prefix = $"{{litellm-test-{Guid.NewGuid():N}}}:";
        Budget[] budgets = [new("team", BudgetScope.Team, 0.00025m, "1mo")];
        var managerA = new BudgetManager(budgets, new RedisBudgetStore(redisA, prefix), catalog: Catalog());
        var managerB = new BudgetManager(budgets, new RedisBudgetStore(redisB, prefix), catalog: Catalog());
        using var clientA = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(managerA).Build();
        using var clientB = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(managerB).Build();

        await clientA.GetResponseAsync("hi", Options(team: "eng"), Ct);
        await clientA.GetResponseAsync("hi", Options(team: "eng"), Ct);

        var seenByB = Assert.Single(await managerB.GetStatusAsync(new BudgetSubject(TeamId: "eng"), Ct));
        Assert.Equal(2 * CallCost, seenByB.Spend);
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => clientB.GetResponseAsync("hi", Options(team: "eng"), Ct));
        Assert.Equal(2 * CallCost, error.CurrentSpend);
        await clientB.GetResponseAsync("hi", Options(team: "ops"), Ct); // another team has its own counter
    }

    [Fact]
    public async Task Window_ResetsOnTheBoundary()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 15, 10, 20, 0, TimeSpan.Zero));
        var manager = new BudgetManager([Global(0.00025m, "1h")], timeProvider: time, catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(manager).Build();

        await client.GetResponseAsync("hi", Options(), Ct);
        await client.GetResponseAsync("hi", Options(), Ct);
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", Options(), Ct));
        Assert.Equal(new DateTimeOffset(2025, 3, 15, 11, 0, 0, TimeSpan.Zero), error.ResetsAt);

        time.Advance(TimeSpan.FromMinutes(39));
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", Options(), Ct));

        time.Advance(TimeSpan.FromMinutes(1));
        await client.GetResponseAsync("hi", Options(), Ct);
        var status = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        Assert.Equal(CallCost, status.Spend);
        Assert.Equal(new DateTimeOffset(2025, 3, 15, 11, 0, 0, TimeSpan.Zero), status.WindowStart);
    }

    [Theory]
    [InlineData("1h", "2025-03-15T13:00:00Z", "2025-03-15T14:00:00Z")]
    [InlineData("1d", "2025-03-15T00:00:00Z", "2025-03-16T00:00:00Z")]
    [InlineData("1w", "2025-03-10T00:00:00Z", "2025-03-17T00:00:00Z")]
    [InlineData("1mo", "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    [InlineData("3mo", "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z")]
    [InlineData("30m", "2025-03-15T13:30:00Z", "2025-03-15T14:00:00Z")]
    public void Windows_AreAlignedInUtc(string duration, string start, string end)
    {
        var window = BudgetWindow.Parse(duration).At(DateTimeOffset.Parse("2025-03-15T13:47:12Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)), window);
    }

    [Fact]
    public void WithExpressions_KeepTheWindowInStep()
        => Assert.Equal('h', (new Budget("b", BudgetScope.Global, 1m, "1d") with { Duration = "2h" }).Window.Unit);

    [Theory]
    [InlineData("1y")]
    [InlineData("0d")]
    [InlineData("daily")]
    public void BadDurations_AreRefused(string duration)
        => Assert.Throws<ArgumentException>(() => new Budget("b", BudgetScope.Global, 1m, duration));

    [Fact]
    public async Task BudgetExceeded_NamesTheBudgetLimitAndSpend_AndNeverCallsTheProvider()
    {
        var calls = 0;
        var manager = new BudgetManager([new Budget("team-daily", BudgetScope.Team, 0.00015m, "1d")], catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.Zero, () => Interlocked.Increment(ref calls)).AsBuilder().UseBudgets(manager).Build();

        await client.GetResponseAsync("hi", Options(team: "eng"), Ct);
        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", Options(team: "eng"), Ct));

        Assert.Equal(1, calls);
        Assert.Equal("team-daily", error.BudgetName);
        Assert.Equal(BudgetScope.Team, error.Scope);
        Assert.Equal("eng", error.ScopeId);
        Assert.Equal(0.00015m, error.MaxBudget);
        Assert.Equal(CallCost, error.CurrentSpend);
        Assert.Equal(Estimate, error.Estimate);
        Assert.Equal(LiteLlmErrorKind.BudgetExceeded, error.Kind);
        Assert.Equal(400, error.HttpStatus);
        Assert.Contains("'team-daily' (Team 'eng')", error.Message, StringComparison.Ordinal);
        Assert.Contains("spent $0.0001 of its $0.00015 limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerUserBudgets_CountEachUserSeparately_AndSkipCallersWithoutTheId()
    {
        var manager = new BudgetManager([new Budget("per-user", BudgetScope.User, 0.00015m)], catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(manager).Build();

        await client.GetResponseAsync("hi", Options(user: "alice"), Ct);
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", Options(user: "alice"), Ct));
        await client.GetResponseAsync("hi", Options(user: "bob"), Ct);
        await client.GetResponseAsync("hi", Options(), Ct);
        await client.GetResponseAsync("hi", Options(), Ct);
    }

    [Fact]
    public async Task ScopedBudgets_ApplyOnlyToTheirId()
    {
        var manager = new BudgetManager(
            [new Budget("key-1", BudgetScope.ApiKey, 0.00015m, scopeId: "sk-1"), new Budget("model", BudgetScope.Model, 1m, scopeId: Model)],
            catalog: Catalog());

        var statuses = await manager.GetStatusAsync(new BudgetSubject(KeyId: "sk-1", Model: Model.ToUpperInvariant()), Ct);
        Assert.Equal(["key-1", "model"], statuses.Select(s => s.Budget.Name));
        Assert.Empty(await manager.GetStatusAsync(new BudgetSubject(KeyId: "sk-2", Model: "other"), Ct));
    }

    [Fact]
    public async Task FailedCall_ReleasesTheReservation()
    {
        var manager = new BudgetManager([Global(1m)], catalog: Catalog());
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw new InvalidOperationException("boom") };
        using var client = inner.AsBuilder().UseBudgets(manager).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("hi", Options(), Ct));

        var status = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        Assert.Equal((0m, 0m), (status.Spend, status.Reserved));
    }

    [Fact]
    public async Task Streams_SettleOnCompletion_AndChargeTheEstimateWhenAbandoned()
    {
        var manager = new BudgetManager([Global(1m)], catalog: Catalog());
        using var client = FixedCostClient(TimeSpan.Zero).AsBuilder().UseBudgets(manager).Build();

        await foreach (var update in client.GetStreamingResponseAsync("hi", Options(), Ct))
        {
            var inFlight = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
            Assert.Equal(Estimate, inFlight.Reserved);
        }

        var completed = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        Assert.Equal((CallCost, 0m), (completed.Spend, completed.Reserved));

        await foreach (var update in client.GetStreamingResponseAsync("hi", Options(), Ct))
        {
            break;
        }

        var abandoned = await manager.GetStatusAsync(manager.Budgets[0], cancellationToken: Ct);
        Assert.Equal((CallCost + Estimate, 0m), (abandoned.Spend, abandoned.Reserved));
    }

    [Fact]
    public async Task UnpricedModels_AreAdmittedUntilTheBudgetIsSpent_AndCachedAnswersCostNothing()
    {
        var manager = new BudgetManager([Global(0.0002m)], catalog: Catalog());
        var cacheHit = false;
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                AdditionalProperties = new() { [ResponseProperties.Cost] = CallCost, [ResponseProperties.CacheHit] = cacheHit },
            }),
        };
        using var client = inner.AsBuilder().UseBudgets(manager).Build();
        var unpriced = new ChatOptions { ModelId = "unpriced-model" };

        cacheHit = true;
        await client.GetResponseAsync("hi", unpriced, Ct);
        cacheHit = false;
        await client.GetResponseAsync("hi", unpriced, Ct);
        await client.GetResponseAsync("hi", unpriced, Ct);
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync("hi", unpriced, Ct));
    }

    /// <summary>A store whose settle fails, as Redis does when it goes away mid-call.</summary>
    private sealed class SettleFailingStore : IBudgetStore
    {
        private readonly InMemoryBudgetStore _inner = new();

        public ValueTask<BudgetRefusal?> TryReserveAsync(IReadOnlyList<BudgetCounter> counters, decimal amount, DateTimeOffset now, CancellationToken cancellationToken)
            => _inner.TryReserveAsync(counters, amount, now, cancellationToken);

        public ValueTask SettleAsync(IReadOnlyList<BudgetCounter> counters, decimal reserved, decimal actual, DateTimeOffset now, CancellationToken cancellationToken)
            => throw new TimeoutException("The store went away.");

        public ValueTask<(decimal Spend, decimal Reserved)> GetAsync(BudgetCounter counter, DateTimeOffset now, CancellationToken cancellationToken)
            => _inner.GetAsync(counter, now, cancellationToken);
    }
}
