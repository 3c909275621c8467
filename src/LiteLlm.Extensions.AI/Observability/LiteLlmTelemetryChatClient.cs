using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiteLlm.Observability;

/// <summary>
/// Records every call on the <c>LiteLlm</c> meter (requests by model group, provider and outcome; tokens; cost; cache
/// hits; retries; fallbacks; latency; time to first token) and logs one structured line per call. Message contents
/// and settings (which may hold keys) are never logged unless <see cref="EnableSensitiveData"/> is set.
/// </summary>
/// <remarks>
/// This adds LiteLLM's facts (cost, cache, routing) to MEAI's <c>UseOpenTelemetry()</c>, which emits the GenAI
/// semantic-convention spans and metrics; compose both, this one outside the cache so hits are counted.
/// </remarks>
public sealed partial class LiteLlmTelemetryChatClient : DelegatingChatClient
{
    /// <summary>The default meter name.</summary>
    public const string DefaultMeterName = "LiteLlm";

    // Tag values are objects: the two booleans are boxed once, not on every call.
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly LiteLlmMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="LiteLlmTelemetryChatClient"/> class.</summary>
    /// <param name="innerClient">The client whose calls are recorded.</param>
    /// <param name="logger">Where calls are logged; <see langword="null"/> logs nothing.</param>
    /// <param name="meterName">The meter name; <see langword="null"/> for <see cref="DefaultMeterName"/>.</param>
    /// <param name="meterFactory">Creates the meter (DI's <see cref="IMeterFactory"/>); <see langword="null"/> creates one this client owns.</param>
    public LiteLlmTelemetryChatClient(IChatClient innerClient, ILogger? logger = null, string? meterName = null, IMeterFactory? meterFactory = null)
        : base(innerClient)
    {
        var name = string.IsNullOrEmpty(meterName) ? DefaultMeterName : meterName;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(name) ?? new Meter(name);
        _metrics = new LiteLlmMetrics(_meter);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets or sets a value indicating whether message contents are logged (at trace level).</summary>
    /// <value>The default is <see langword="false"/>: only counts, names, timings and costs are logged.</value>
    public bool EnableSensitiveData { get; set; }

    /// <summary>Gets or sets the clock used for latencies.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Start(ref messages, options);
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            Record(call, options, response, null);
            return response;
        }
        catch (Exception e)
        {
            Record(call, options, null, e);
            throw;
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Start(ref messages, options);
        return ObservedStream.ObserveAsync(base.GetStreamingResponseAsync(messages, options, cancellationToken), new Observation(this, call, options), cancellationToken);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsMeter)
        {
            _meter.Dispose();
        }

        base.Dispose(disposing);
    }

    private Call Start(ref IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var call = new Call(CallFacts.CallerRequestId(options), TimeProvider.GetTimestamp());
        if (EnableSensitiveData && _logger.IsEnabled(LogLevel.Trace))
        {
            var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
            messages = list;
            var json = JsonSerializer.Serialize(list, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IEnumerable<ChatMessage>)));
            LogRequestContent(_logger, call.RequestId, json);
        }

        return call;
    }

    private void Record(Call call, ChatOptions? options, ChatResponse? response, Exception? exception)
    {
        var elapsed = TimeProvider.GetElapsedTime(call.Timestamp);
        var properties = response?.AdditionalProperties;
        var modelGroup = CallFacts.String(properties, ResponseProperties.ModelGroup) ?? options?.ModelId ?? response?.ModelId;
        var provider = CallFacts.String(properties, ResponseProperties.Provider);
        var cacheHit = CallFacts.Bool(properties, ResponseProperties.CacheHit);
        var outcome = exception switch
        {
            null => "success",
            OperationCanceledException => "cancelled",
            _ => "failure",
        };

        var tags = LiteLlmMetrics.Tags(modelGroup, provider);
        var requestTags = tags;
        requestTags.Add(LiteLlmMetrics.OutcomeTag, outcome);
        requestTags.Add(LiteLlmMetrics.CacheHitTag, cacheHit ? BoxedTrue : BoxedFalse);
        if (exception is not null)
        {
            requestTags.Add(LiteLlmMetrics.ErrorTypeTag, exception.GetType().Name);
        }

        _metrics.Requests.Add(1, requestTags);
        _metrics.Duration.Record(elapsed.TotalSeconds, requestTags);
        if (call.TimeToFirstToken is { } ttft)
        {
            _metrics.TimeToFirstToken.Record(ttft.TotalSeconds, tags);
        }

        var usage = response?.Usage;
        AddTokens(usage?.InputTokenCount, "input", tags);
        AddTokens(usage?.OutputTokenCount, "output", tags);
        AddTokens(usage?.CachedInputTokenCount, "cached_input", tags);

        var cost = CallFacts.Decimal(properties, ResponseProperties.Cost);
        if (cost is > 0m)
        {
            _metrics.Cost.Add((double)cost.Value, tags);
        }

        if (cacheHit)
        {
            _metrics.CacheHits.Add(1, tags);
        }

        if (CallFacts.Int(properties, ResponseProperties.Attempts) is > 1 and var attempts)
        {
            _metrics.Retries.Add(attempts - 1, tags);
        }

        if (CallFacts.Count(properties, ResponseProperties.Fallbacks) is > 0 and var fallbacks)
        {
            _metrics.Fallbacks.Add(fallbacks, tags);
        }

        if (exception is null)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var costText = CallFacts.Describe(cost);
                LogCallSucceeded(_logger, call.RequestId, modelGroup, provider, response?.ModelId, elapsed.TotalMilliseconds,
                    usage?.InputTokenCount, usage?.OutputTokenCount, costText, cacheHit);
            }

            if (EnableSensitiveData && _logger.IsEnabled(LogLevel.Trace))
            {
                LogResponseContent(_logger, call.RequestId, response!.Text);
            }
        }
        else
        {
            // The exception's type only: provider messages may echo the prompt.
            LogCallFailed(_logger, call.RequestId, modelGroup, outcome, elapsed.TotalMilliseconds, exception.GetType().Name);
        }
    }

    private void AddTokens(long? count, string type, in System.Diagnostics.TagList tags)
    {
        if (count is > 0)
        {
            var withType = tags;
            withType.Add(LiteLlmMetrics.TokenTypeTag, type);
            _metrics.Tokens.Add(count.Value, withType);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug,
        Message = "LLM call {RequestId} to {ModelGroup} via {Provider} ({Model}) succeeded in {DurationMs} ms: {InputTokens} tokens in, {OutputTokens} out, cost {Cost} USD, cache hit {CacheHit}.")]
    private static partial void LogCallSucceeded(
        ILogger logger, string requestId, string? modelGroup, string? provider, string? model, double durationMs, long? inputTokens, long? outputTokens, string cost, bool cacheHit);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "LLM call {RequestId} to {ModelGroup} ended with {Outcome} after {DurationMs} ms: {ErrorType}.")]
    private static partial void LogCallFailed(ILogger logger, string requestId, string? modelGroup, string outcome, double durationMs, string errorType);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Trace, Message = "LLM call {RequestId} messages: {Messages}")]
    private static partial void LogRequestContent(ILogger logger, string requestId, string messages);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Trace, Message = "LLM call {RequestId} response: {Text}")]
    private static partial void LogResponseContent(ILogger logger, string requestId, string text);

    /// <summary>One call; its id is the caller's <c>litellm_call_id</c>, else one made when a log line first needs it.</summary>
    private sealed class Call(string? callerId, long timestamp)
    {
        private string? _requestId = callerId;

        public string RequestId => _requestId ??= Guid.NewGuid().ToString("N");

        public long Timestamp { get; } = timestamp;

        public TimeSpan? TimeToFirstToken { get; set; }
    }

    private sealed class Observation(LiteLlmTelemetryChatClient owner, Call call, ChatOptions? options) : StreamObservation
    {
        public override void OnFirstUpdate() => call.TimeToFirstToken = owner.TimeProvider.GetElapsedTime(call.Timestamp);

        public override void OnCompleted(ChatResponse response) => owner.Record(call, options, response, null);

        public override void OnFailed(Exception exception) => owner.Record(call, options, null, exception);
    }
}
