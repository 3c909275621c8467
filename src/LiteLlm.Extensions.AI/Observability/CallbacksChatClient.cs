using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiteLlm.Observability;

/// <summary>
/// Reports every call to the registered <see cref="ILiteLlmCallback"/> handlers (pre-call, success, failure, stream
/// complete) with one <see cref="LiteLlmCallPayload"/>. Handlers run off the request path: a slow or throwing handler
/// never delays or fails a call. Place it outside the cache so hits are reported (with <c>CacheHit</c>).
/// </summary>
public sealed class CallbacksChatClient : DelegatingChatClient, IAsyncDisposable
{
    private readonly CallbackDispatcher _dispatcher;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="CallbacksChatClient"/> class.</summary>
    /// <param name="innerClient">The client whose calls are reported.</param>
    /// <param name="callbacks">The handlers, called in this order for each event.</param>
    /// <param name="options">The dispatch settings; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where handler failures and dropped events are logged.</param>
    public CallbacksChatClient(IChatClient innerClient, IEnumerable<ILiteLlmCallback> callbacks, LiteLlmCallbackOptions? options = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(callbacks);
        options ??= new LiteLlmCallbackOptions();
        options.Validate();
        _time = options.TimeProvider;
        _dispatcher = new CallbackDispatcher(callbacks, options, logger ?? NullLogger.Instance);
    }

    /// <summary>Gets how many events were dropped because the handlers fell behind and the queue was full.</summary>
    public long DroppedEvents => _dispatcher.DroppedCount;

    /// <summary>Waits until every event queued so far has been handled: for tests and orderly shutdown.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the queue is drained.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _dispatcher.FlushAsync(cancellationToken);

    /// <summary>Delivers the queued events, then disposes the inner client.</summary>
    /// <returns>A task that completes when the handlers are done.</returns>
    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        Dispose();
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);

        // No handlers (a gateway without callbacks): the inner call's own task, without a state machine here.
        return _dispatcher.HasHandlers ? ReportedAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> ReportedAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var call = Start(messages, options, streaming: false);
        try
        {
            var response = await base.GetResponseAsync(call.Messages, options, cancellationToken);
            Finish(call, options, response, null);
            return response;
        }
        catch (Exception e)
        {
            Finish(call, options, null, e);
            throw;
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!_dispatcher.HasHandlers)
        {
            return base.GetStreamingResponseAsync(messages, options, cancellationToken);
        }

        var call = Start(messages, options, streaming: true);
        return ObservedStream.ObserveAsync(base.GetStreamingResponseAsync(call.Messages, options, cancellationToken), new Observation(this, call, options), cancellationToken);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dispatcher.Abandon();
        }

        base.Dispose(disposing);
    }

    private Call Start(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var call = new Call(CallFacts.RequestId(options), streaming, list, _time.GetUtcNow(), _time.GetTimestamp());
        _dispatcher.Post(CallbackKind.PreCall, new LiteLlmCallPayload
        {
            RequestId = call.RequestId,
            Streaming = streaming,
            ModelGroup = options?.ModelId,
            Model = options?.ModelId,
            Metadata = CallFacts.Metadata(options),
            StartTime = call.StartTime,
            Messages = list,
        });
        return call;
    }

    private void Finish(Call call, ChatOptions? options, ChatResponse? response, Exception? exception)
    {
        var payload = CallFacts.Payload(
            call.RequestId, call.Streaming, call.Messages, options, response, exception,
            call.StartTime, _time.GetUtcNow(), _time.GetElapsedTime(call.Timestamp), call.TimeToFirstToken);
        var kind = exception is not null ? CallbackKind.Failure : call.Streaming ? CallbackKind.StreamComplete : CallbackKind.Success;
        _dispatcher.Post(kind, payload);
    }

    private sealed record Call(string RequestId, bool Streaming, IReadOnlyList<ChatMessage> Messages, DateTimeOffset StartTime, long Timestamp)
    {
        public TimeSpan? TimeToFirstToken { get; set; }
    }

    private sealed class Observation(CallbacksChatClient owner, Call call, ChatOptions? options) : StreamObservation
    {
        public override void OnFirstUpdate() => call.TimeToFirstToken = owner._time.GetElapsedTime(call.Timestamp);

        public override void OnCompleted(ChatResponse response) => owner.Finish(call, options, response, null);

        public override void OnFailed(Exception exception) => owner.Finish(call, options, null, exception);
    }
}
