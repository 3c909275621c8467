using System.Diagnostics;
using System.Threading.Channels;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Spend;

/// <summary>
/// Writes spend records off the request path: a bounded queue, a batch once <see cref="GatewayAuthOptions.SpendBatchSize"/>
/// records are queued or every <see cref="GatewayAuthOptions.SpendFlushInterval"/> (up to <see cref="BacklogBatches"/> times
/// that size when a backlog built up while the last batch was written), drained on shutdown. While the database is down the batch
/// in hand is retried with back-off for as long as it takes, and new records wait in the queue (bounded by
/// <see cref="GatewayAuthOptions.SpendQueueCapacity"/>; past it they are dropped and counted), so an outage of any length
/// loses nothing that fits in the queue and never blocks a request.
/// </summary>
internal sealed partial class SpendWriter(ISpendStore store, GatewayAuthOptions options, TimeProvider time, ILogger<SpendWriter> logger, Limits.SoftBudgetAlerts? alerts = null) : ISpendSink, IHostedService, IAsyncDisposable
{
    private readonly Channel<SpendRecord> _queue = Channel.CreateBounded<SpendRecord>(new BoundedChannelOptions(options.SpendQueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>How often a filling batch looks at the queue (its size limit is reached within one step).</summary>
    private static readonly TimeSpan FillStep = TimeSpan.FromMilliseconds(20);

    /// <summary>How many batches' worth of queued records a writer that fell behind takes at once.</summary>
    internal const int BacklogBatches = 10;

    private readonly CancellationTokenSource _abandon = new();
    private Task? _loop;
    private long _dropped;

    public void Record(SpendRecord record)
    {
        if (!_queue.Writer.TryWrite(record) && Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            LogDropped(logger, _dropped);
        }
    }

    /// <summary>Writes everything queued so far (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<SpendRecord>();
        while (_queue.Reader.TryRead(out var record))
        {
            batch.Add(record);
        }

        await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abandon.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: no spend record of a completed request is lost on an orderly shutdown. If the host's shutdown
        // timeout passes first (the database is down), what is left is abandoned and counted in the log.
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await _abandon.CancelAsync().ConfigureAwait(false);
                LogAbandoned(logger, _queue.Reader.Count);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // abandoned at shutdown (logged there)
            }
        }

        _abandon.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<SpendRecord>(options.SpendBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // The batch fills while this loop sleeps in short steps: waiting on the queue instead woke this loop (a
            // thread-pool hop and a timer made and cancelled) once for every request under load (profiled).
            var deadline = time.GetUtcNow() + options.SpendFlushInterval;
            while (true)
            {
                while (batch.Count < options.SpendBatchSize && reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                var left = deadline - time.GetUtcNow();
                if (batch.Count >= options.SpendBatchSize || left <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                await Task.Delay(left < FillStep ? left : FillStep, time, cancellationToken).ConfigureAwait(false);
            }

            // Behind the load (records queued while the last batch was written), take what is queued, up to
            // BacklogBatches batches at once: a batch costs about one round trip and one commit whatever its size, so
            // batches grow until the writer keeps up, instead of a backlog that a crash would lose (decision 0012).
            while (batch.Count < options.SpendBatchSize * BacklogBatches && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<SpendRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.WriteSpendAsync(batch, cancellationToken).ConfigureAwait(false);
                alerts?.Observe(batch); // soft budgets are checked after the batch landed, off this loop
                if (attempt > 1)
                {
                    LogRecovered(logger, batch.Count, attempt);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is down: keep the batch and retry with back-off (at most 5 s apart) until it answers;
                // writes are idempotent by request id, so a batch that did land before the error is not counted twice.
                if (attempt <= 3 || attempt % 20 == 0)
                {
                    LogRetry(logger, batch.Count, attempt, e.GetType().Name, _queue.Reader.Count);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt * attempt)), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Spend queue full: {Dropped} records dropped so far.")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(2, LogLevel.Warning, "Writing {Count} spend records failed (attempt {Attempt}, {Error}); retrying; {Queued} more queued.")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, string error, int queued);

    [LoggerMessage(3, LogLevel.Information, "Wrote {Count} spend records after {Attempt} attempts: the database is back.")]
    private static partial void LogRecovered(ILogger logger, int count, int attempt);

    [LoggerMessage(4, LogLevel.Error, "Shutdown timed out while the database was unreachable: {Count} queued spend records were not written.")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
