using System.Threading.Channels;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Spend;

/// <summary>
/// Writes spend records off the request path: a bounded queue, batches of up to <see cref="GatewayAuthOptions.SpendBatchSize"/>
/// or every <see cref="GatewayAuthOptions.SpendFlushInterval"/>, retried (bounded) while the database is down, drained on shutdown.
/// </summary>
internal sealed partial class SpendWriter(ISpendStore store, KeyGate gate, GatewayAuthOptions options, ILogger<SpendWriter> logger) : ISpendSink, IHostedService, IAsyncDisposable
{
    private readonly Channel<SpendRecord> _queue = Channel.CreateBounded<SpendRecord>(new BoundedChannelOptions(options.SpendQueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private Task? _loop;
    private long _dropped;

    public void Record(SpendRecord record)
    {
        gate.AddSpend(record.KeyId, record.Cost ?? 0);
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
        _loop = Task.Run(() => RunAsync(CancellationToken.None), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: no spend record of a completed request is lost on an orderly shutdown.
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<SpendRecord>(options.SpendBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var deadline = DateTime.UtcNow + options.SpendFlushInterval;
            while (batch.Count < options.SpendBatchSize)
            {
                if (reader.TryRead(out var record))
                {
                    batch.Add(record);
                    continue;
                }

                var wait = deadline - DateTime.UtcNow;
                if (wait <= TimeSpan.Zero || reader.Completion.IsCompleted)
                {
                    break;
                }

                using var timeout = new CancellationTokenSource(wait);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
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
                foreach (var record in batch)
                {
                    gate.SpendWritten(record.KeyId, record.Cost ?? 0);
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 20)
            {
                // The database is down: keep the batch (bounded by the queue) and retry with back-off; writes are idempotent by request id.
                LogRetry(logger, batch.Count, attempt, e.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Spend queue full: {Dropped} records dropped so far.")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(2, LogLevel.Warning, "Writing {Count} spend records failed (attempt {Attempt}, {Error}); retrying.")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, string error);
}
