using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LiteLlm.Observability;

/// <summary>Which hook an event goes to.</summary>
internal enum CallbackKind
{
    PreCall,
    Success,
    Failure,
    StreamComplete,
}

/// <summary>
/// Moves callback events off the request path: a bounded channel (dropping when full, counted and logged) read
/// by one background consumer that calls every handler in turn and logs what they throw.
/// </summary>
internal sealed partial class CallbackDispatcher : IAsyncDisposable
{
    private readonly ILiteLlmCallback[] _handlers;
    private readonly ILogger _logger;
    private readonly Channel<(CallbackKind Kind, LiteLlmCallPayload Payload)> _channel;
    // Never disposed: it has no timer, and Abandon() may cancel it after the consumer is done.
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _gate = new();
    private readonly Task _consumer;

    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(5);

    // Made only when someone flushes while events are pending (not once per event): completed when _pending reaches 0.
    private TaskCompletionSource? _idle;
    private int _pending;
    private long _dropped;

    public CallbackDispatcher(IEnumerable<ILiteLlmCallback> handlers, LiteLlmCallbackOptions options, ILogger logger)
    {
        _handlers = handlers.ToArray();
        _logger = logger;
        _channel = Channel.CreateBounded<(CallbackKind, LiteLlmCallPayload)>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = options.FullMode, SingleReader = true },
            _ => OnDropped());
        _consumer = _handlers.Length == 0 ? Task.CompletedTask : Task.Run(ConsumeAsync);
    }

    public bool HasHandlers => _handlers.Length > 0;

    /// <summary>Gets how many events were dropped because the queue was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Queues an event; never blocks.</summary>
    public void Post(CallbackKind kind, LiteLlmCallPayload payload)
    {
        if (_handlers.Length == 0)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        if (!_channel.Writer.TryWrite((kind, payload)))
        {
            // Closed (shutting down), or full in DropWrite mode without the drop callback.
            OnDropped();
        }
    }

    /// <summary>Completes when every event queued so far has been handled (or dropped).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _pending) == 0)
            {
                return Task.CompletedTask;
            }

            return (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops taking events; queued ones are still delivered by <see cref="DisposeAsync"/>.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Stops taking events and cancels the handlers' token, without waiting for them.</summary>
    public void Abandon()
    {
        Complete();
        _shutdown.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        Complete();
        await _consumer.ConfigureAwait(false);
    }

    private async Task ConsumeAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                await DeliverAsync(item.Kind, item.Payload).ConfigureAwait(false);
            }

            // Woken for every event, this loop cost a thread-pool hop per event (two per call): about as much CPU as the
            // call itself against a fast upstream. A short pause once the queue is drained lets events gather, so under
            // steady traffic it wakes once per window. The system clock on purpose: this is scheduling, not a time the
            // caller's TimeProvider should control (a frozen test clock would hold every event back).
            if (!reader.Completion.IsCompleted)
            {
                await Task.Delay(BatchWindow, TimeProvider.System).ConfigureAwait(false);
            }
        }
    }

    private async Task DeliverAsync(CallbackKind kind, LiteLlmCallPayload payload)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await Invoke(handler, kind, payload, _shutdown.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // a handler's failure must never reach the pipeline; it is logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerFailed(_logger, handler.GetType().Name, kind, payload.RequestId, e);
            }
        }

        Done();
    }

    private static ValueTask Invoke(ILiteLlmCallback handler, CallbackKind kind, LiteLlmCallPayload payload, CancellationToken cancellationToken) => kind switch
    {
        CallbackKind.PreCall => handler.OnPreCallAsync(payload, cancellationToken),
        CallbackKind.Success => handler.OnSuccessAsync(payload, cancellationToken),
        CallbackKind.Failure => handler.OnFailureAsync(payload, cancellationToken),
        _ => handler.OnStreamCompleteAsync(payload, cancellationToken),
    };

    private void OnDropped()
    {
        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            LogDropped(_logger, dropped);
        }

        Done();
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _pending) != 0)
        {
            return;
        }

        lock (_gate)
        {
            // Re-read under the gate: an event posted since must be handled before a flush completes.
            if (_idle is { } idle && Volatile.Read(ref _pending) == 0)
            {
                _idle = null;
                idle.TrySetResult();
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Callback {Handler} failed on {Kind} for request {RequestId}.")]
    private static partial void LogHandlerFailed(ILogger logger, string handler, CallbackKind kind, string requestId, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "The callback queue is full: {Dropped} events dropped so far.")]
    private static partial void LogDropped(ILogger logger, long dropped);
}
