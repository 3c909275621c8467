using System.Collections.Concurrent;
using LiteLlm.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Observability;

public sealed class CallbacksChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestChatClient Upstream() => new()
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"))
        {
            ModelId = "gpt-4o-2024-08-06",
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 3, CachedInputTokenCount = 4 },
            AdditionalProperties = new()
            {
                [ResponseProperties.Provider] = "openai",
                [ResponseProperties.Deployment] = "openai-east",
                [ResponseProperties.ModelGroup] = "gpt-4o",
                [ResponseProperties.Attempts] = 2,
                [ResponseProperties.Cost] = 0.0042m,
            },
        }),
    };

    [Fact]
    public async Task Payload_IsFilledFromResponsePropertiesUsageAndCallerMetadata()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T12:00:00Z"));
        var inner = Upstream();
        var slowUpstream = inner.GetResponseAsyncCallback!;
        inner.GetResponseAsyncCallback = (m, o, c) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            return slowUpstream(m, o, c);
        };
        var recorder = new RecordingCallback();
        await using var client = new CallbacksChatClient(inner, [recorder], new LiteLlmCallbackOptions { TimeProvider = time });
        var options = new ChatOptions
        {
            ModelId = "gpt-4o",
            AdditionalProperties = new()
            {
                ["metadata"] = new Dictionary<string, object?> { ["user_id"] = "u-1", ["team_id"] = "t-1", ["key_id"] = "k-1" },
                ["litellm_call_id"] = "call-123",
            },
        };

        await client.GetResponseAsync("hello", options, Ct);
        await client.FlushAsync(Ct);

        Assert.Equal(["pre", "success"], recorder.Events.Select(e => e.Kind));
        var pre = recorder.Events[0].Payload;
        Assert.Equal("call-123", pre.RequestId);
        Assert.Null(pre.EndTime);
        var p = recorder.Events[1].Payload;
        Assert.Equal("call-123", p.RequestId);
        Assert.Equal("gpt-4o", p.ModelGroup);
        Assert.Equal("openai-east", p.Deployment);
        Assert.Equal("openai", p.Provider);
        Assert.Equal("gpt-4o-2024-08-06", p.Model);
        Assert.Equal((12L, 3L, 4L), (p.InputTokens!.Value, p.OutputTokens!.Value, p.CachedInputTokens!.Value));
        Assert.Equal(0.0042m, p.Cost);
        Assert.Equal(2, p.Attempts);
        Assert.False(p.CacheHit);
        Assert.Equal("t-1", p.Metadata!["team_id"]);
        Assert.Equal(TimeSpan.FromMilliseconds(250), p.Latency);
        Assert.Equal(time.GetUtcNow().AddMilliseconds(-250), p.StartTime);
        Assert.Equal(time.GetUtcNow(), p.EndTime);
        Assert.Null(p.Exception);
        Assert.Equal("answer", p.Response!.Text);
    }

    [Fact]
    public async Task ThrowingAndSlowCallbacks_NeitherFailNorDelayTheCall()
    {
        var logs = new FakeLogger();
        var slow = new BlockingCallback();
        var recorder = new RecordingCallback();
        await using var client = new CallbacksChatClient(Upstream(), [new ThrowingCallback(), slow, recorder], logger: logs);

        var response = await client.GetResponseAsync("hello", cancellationToken: Ct);

        // The call is done while the slow handler is still blocked on the first event.
        Assert.Equal("answer", response.Text);
        await slow.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(slow.Released.Task.IsCompleted);

        slow.Released.SetResult();
        await client.FlushAsync(Ct);
        Assert.Equal(["pre", "success"], recorder.Events.Select(e => e.Kind));
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Message.Contains(nameof(ThrowingCallback)) && r.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task FullQueue_DropsEvents_CountsAndLogsThem()
    {
        var logs = new FakeLogger();
        var slow = new BlockingCallback();
        await using var client = new CallbacksChatClient(Upstream(), [slow], new LiteLlmCallbackOptions { QueueCapacity = 2 }, logs);

        for (var i = 0; i < 5; i++)
        {
            await client.GetResponseAsync("hello", cancellationToken: Ct);
        }

        Assert.True(client.DroppedEvents >= 5, $"dropped {client.DroppedEvents}");
        slow.Released.SetResult();
        await client.FlushAsync(Ct);
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Message.Contains("dropped"));
    }

    [Fact]
    public async Task Streams_ReportTimeToFirstTokenAndTheAssembledResponse_FailuresReportTheException()
    {
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(
                new ChatResponseUpdate(ChatRole.Assistant, "Hi "),
                new ChatResponseUpdate(ChatRole.Assistant, "there") { Contents = { new UsageContent(new UsageDetails { InputTokenCount = 5, OutputTokenCount = 2 }) } }),
            GetResponseAsyncCallback = (_, _, _) => throw new TimeoutException("upstream too slow"),
        };
        var recorder = new RecordingCallback();
        await using var client = new CallbacksChatClient(inner, [recorder]);

        await client.GetStreamingResponseAsync("hello", cancellationToken: Ct).ToListAsync(Ct);
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync("hello", cancellationToken: Ct));
        await client.FlushAsync(Ct);

        Assert.Equal(["pre", "stream", "pre", "failure"], recorder.Events.Select(e => e.Kind));
        var stream = recorder.Events[1].Payload;
        Assert.True(stream.Streaming);
        Assert.NotNull(stream.TimeToFirstToken);
        Assert.Equal("Hi there", stream.Response!.Text);
        Assert.Equal(5, stream.InputTokens);
        Assert.IsType<TimeoutException>(recorder.Events[3].Payload.Exception);
    }

    [Fact]
    public async Task UseCallbacks_ResolvesHandlersFromServices_AndSeesCacheHits()
    {
        var recorder = new RecordingCallback();
        var services = new ServiceCollection().AddSingleton<ILiteLlmCallback>(recorder).BuildServiceProvider();
        var inner = Upstream();
        using var client = inner.AsBuilder().UseCallbacks().UseResponseCaching(Caching.CacheTestHelpers.NewCache()).Build(services);

        await client.GetResponseAsync("hello", cancellationToken: Ct);
        await client.GetResponseAsync("hello", cancellationToken: Ct);
        await client.GetService<CallbacksChatClient>()!.FlushAsync(Ct);

        var results = recorder.Events.Where(e => e.Kind == "success").Select(e => e.Payload).ToList();
        Assert.Equal([false, true], results.Select(p => p.CacheHit));
        Assert.Equal([0.0042m, 0m], results.Select(p => p.Cost!.Value));
        Assert.Equal(1, inner.Calls);
    }

    private sealed class RecordingCallback : ILiteLlmCallback
    {
        private readonly ConcurrentQueue<(string Kind, LiteLlmCallPayload Payload)> _events = new();

        public IReadOnlyList<(string Kind, LiteLlmCallPayload Payload)> Events => _events.ToList();

        public ValueTask OnPreCallAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => Add("pre", payload);

        public ValueTask OnSuccessAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => Add("success", payload);

        public ValueTask OnFailureAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => Add("failure", payload);

        public ValueTask OnStreamCompleteAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => Add("stream", payload);

        private ValueTask Add(string kind, LiteLlmCallPayload payload)
        {
            _events.Enqueue((kind, payload));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingCallback : ILiteLlmCallback
    {
        public ValueTask OnPreCallAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken) => throw new InvalidOperationException("handler bug");
    }

    private sealed class BlockingCallback : ILiteLlmCallback
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask OnPreCallAsync(LiteLlmCallPayload payload, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Released.Task;
        }
    }
}
