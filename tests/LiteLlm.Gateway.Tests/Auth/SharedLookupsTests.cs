using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Concurrent lookups of one key share one database query; a caller that gives up does not cancel the others.</summary>
public sealed class SharedLookupsTests
{
    [Fact]
    public async Task ABurstOnOneId_MakesOneCall_AndACancelledCallerLeavesTheOthersTheirAnswer()
    {
        var lookups = new SharedLookups();
        var calls = 0;
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> Load()
        {
            Interlocked.Increment(ref calls);
            return release.Task;
        }

        using var impatient = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 50).Select(_ => lookups.RunAsync("key:a", Load, TestContext.Current.CancellationToken)).ToList();
        var givesUp = lookups.RunAsync("key:a", Load, impatient.Token);
        var other = lookups.RunAsync("key:b", () => Task.FromResult("b"), TestContext.Current.CancellationToken);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givesUp);
        release.SetResult("a");

        Assert.All(await Task.WhenAll(waiting), r => Assert.Equal("a", r));
        Assert.Equal("b", await other);
        Assert.Equal(1, calls);

        // Once answered, the next lookup asks again (the caller's cache decides how long an answer lives).
        Assert.Equal("a", await lookups.RunAsync("key:a", Load, TestContext.Current.CancellationToken));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AFailedCall_FailsEveryWaiter_AndIsNotRemembered()
    {
        var lookups = new SharedLookups();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = Enumerable.Range(0, 5).Select(_ => lookups.RunAsync("k", () => release.Task, TestContext.Current.CancellationToken)).ToList();
        release.SetException(new TimeoutException("database"));

        foreach (var task in waiting)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => task);
        }

        Assert.Equal(7, await lookups.RunAsync("k", () => Task.FromResult(7), TestContext.Current.CancellationToken));
    }
}
