using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// The spend writer catches up with a backlog: records queued while a batch was being written go out in batches of up to
/// ten times <see cref="GatewayAuthOptions.SpendBatchSize"/>, since a batch costs about one round trip whatever its size;
/// batches of the configured size could fall behind a fast gateway for as long as the load lasts.
/// </summary>
public sealed class SpendWriterBacklogTests
{
    [Fact]
    public async Task RecordsQueuedDuringAWrite_GoOutInLargerBatches_InOrder_AndNoneIsLost()
    {
        var store = new BlockingStore();
        var options = new GatewayAuthOptions { SpendBatchSize = 10, SpendFlushInterval = TimeSpan.FromMilliseconds(20) };
        await using var writer = new SpendWriter(store, options, TimeProvider.System, NullLogger<SpendWriter>.Instance);
        await writer.StartAsync(TestContext.Current.CancellationToken);

        writer.Record(Row(0));
        await store.FirstWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        for (var i = 1; i <= 250; i++)
        {
            writer.Record(Row(i)); // the backlog of a slow write
        }

        store.Release.SetResult();
        await writer.StopAsync(TestContext.Current.CancellationToken); // drains

        Assert.Equal([1, 100, 100, 50], store.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 251).Select(Id), store.Batches.SelectMany(b => b).Select(r => r.RequestId));
    }

    private static string Id(int i) => "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static SpendRecord Row(int i) => new()
    {
        RequestId = Id(i),
        ModelGroup = "chat",
        Status = "success",
        StartTime = DateTimeOffset.UnixEpoch,
        EndTime = DateTimeOffset.UnixEpoch,
    };

    /// <summary>Records the batches it is given; the first write waits until released.</summary>
    private sealed class BlockingStore : ISpendStore
    {
        public TaskCompletionSource FirstWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<List<SpendRecord>> Batches { get; } = [];

        public async Task WriteSpendAsync(IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
        {
            Batches.Add([.. records]);
            if (Batches.Count == 1)
            {
                FirstWriteStarted.SetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }
        }

        public Task<SpendLogPage> QuerySpendLogsAsync(SpendLogQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<decimal> GetGlobalSpendAsync(DateTimeOffset? since, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<decimal> GetSpendAsync(SpendScope scope, string id, DateTimeOffset? since, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<TagSpend>> GetSpendByTagAsync(DateTimeOffset? from, DateTimeOffset? until, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DailySpend>> GetDailySpendAsync(DateTimeOffset from, DateTimeOffset until, SpendGrouping grouping, string? group, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
