using LiteLlm.Cost;

namespace LiteLlm.Extensions.AI.Tests.Cost;

/// <summary>The two admission rules of a budget counter, in memory and in Redis: fit the reservation, or admit while below the limit.</summary>
public sealed class BudgetStoreAdmissionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public Task InMemory_AdmitWhileBelowLimit_AdmitsOnceOnWhatIsLeft() => AdmitsOnceOnWhatIsLeftAsync(new InMemoryBudgetStore(), "mem");

    [Fact]
    public async Task Redis_AdmitWhileBelowLimit_AdmitsOnceOnWhatIsLeft()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestServers.RedisOrSkip());
        await AdmitsOnceOnWhatIsLeftAsync(new RedisBudgetStore(redis, $"{{litellm-test-{Guid.NewGuid():N}}}:"), "redis");
    }

    private static async Task AdmitsOnceOnWhatIsLeftAsync(IBudgetStore store, string name)
    {
        var ct = TestContext.Current.CancellationToken;

        // 0.011 spent of 0.012: a 0.003 reservation does not fit.
        var strict = new BudgetCounter(name + ":strict", 0.012m, null, 0.011m);
        Assert.NotNull(await store.TryReserveAsync([strict], 0.003m, Now, ct));

        // Admitting while below the limit: the same request is admitted once, then nothing more while it is in flight.
        var below = new BudgetCounter(name + ":below", 0.012m, null, 0.011m) { AdmitWhileBelowLimit = true };
        Assert.Null(await store.TryReserveAsync([below], 0.003m, Now, ct));
        var refused = await store.TryReserveAsync([below], 0.003m, Now, ct);
        Assert.NotNull(refused);
        Assert.Equal(0.011m, refused.Spend);
        Assert.Equal(0.003m, refused.Reserved);

        // Settled at its actual cost, the budget is spent: still refused.
        await store.SettleAsync([below], 0.003m, 0.011m, Now, ct);
        Assert.NotNull(await store.TryReserveAsync([below], 0.0001m, Now, ct));
    }
}
