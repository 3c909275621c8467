using System.Net;
using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests.Conveniences;

/// <summary>Many conversations against one model: order, isolation, bounded parallelism, cancellation, progress.</summary>
public sealed class BatchCompletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<IEnumerable<ChatMessage>> Conversations(params string[] prompts)
        => prompts.Select(p => (IEnumerable<ChatMessage>)[new ChatMessage(ChatRole.User, p)]).ToList();

    [Fact]
    public async Task Results_AreInInputOrder_AndAFailureLosesNothingElse()
    {
        // An OpenAI upstream that answers later prompts sooner, and fails the one that says "boom".
        var upstream = new FakeUpstream
        {
            Fallback = async (request, ct) =>
            {
                var prompt = request.Json.GetProperty("messages")[0].GetProperty("content").GetString()!;
                var n = int.Parse(prompt[1..], System.Globalization.CultureInfo.InvariantCulture);
                await Task.Delay(TimeSpan.FromMilliseconds(10 * (6 - n)), ct);
                return n == 3
                    ? FakeUpstream.Response(HttpStatusCode.BadRequest, """{"error":{"message":"boom","type":"invalid_request_error"}}""", "application/json")
                    : FakeUpstream.Response(HttpStatusCode.OK, OpenAIWire.Completion("answer " + prompt), "application/json");
            },
        };
        using var factory = TestFactory.Create(upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test" });
        var client = factory.CreateChatClient("openai/gpt-4o-mini");

        var results = await client.GetResponsesAsync(Conversations("p0", "p1", "p2", "p3", "p4", "p5"), new BatchOptions { MaxDegreeOfParallelism = 6 }, cancellationToken: Ct);

        Assert.Equal(6, results.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5], results.Select(r => r.Index));
        foreach (var i in new[] { 0, 1, 2, 4, 5 })
        {
            Assert.True(results[i].IsSuccess);
            Assert.Equal("answer p" + i, results[i].Response!.Text);
        }

        Assert.False(results[3].IsSuccess);
        var error = Assert.IsAssignableFrom<BadRequestException>(results[3].Error);
        Assert.Equal("openai", error.Provider);
    }

    [Fact]
    public async Task NoMoreThanTheLimit_RunAtOnce()
    {
        var current = 0;
        var max = 0;
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = async (messages, _, ct) =>
            {
                var now = Interlocked.Increment(ref current);
                InterlockedMax(ref max, now);
                await Task.Delay(15, ct);
                Interlocked.Decrement(ref current);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, messages.Single().Text));
            },
        };

        var results = await client.GetResponsesAsync(Conversations([.. Enumerable.Range(0, 24).Select(i => "q" + i)]), new BatchOptions { MaxDegreeOfParallelism = 3 }, cancellationToken: Ct);

        Assert.All(results, r => Assert.Equal("q" + r.Index, r.Response!.Text));
        Assert.InRange(Volatile.Read(ref max), 2, 3);
        Assert.Equal(24, client.Calls);
    }

    [Fact]
    public async Task Cancellation_StartsNothingMore_AndCancelsWhatRuns()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var started = 0;
        var twoStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                if (Interlocked.Increment(ref started) == 2)
                {
                    twoStarted.SetResult();
                }

                await Task.Delay(Timeout.Infinite, ct);
                throw new InvalidOperationException("unreachable");
            },
        };
        var progress = new RecordingProgress();

        var batch = client.GetResponsesAsync(Conversations([.. Enumerable.Range(0, 10).Select(i => "q" + i)]), new BatchOptions { MaxDegreeOfParallelism = 2, Progress = progress }, cancellationToken: cts.Token);
        await twoStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();
        var results = await batch;

        Assert.Equal(2, client.Calls); // the eight not started never reached the client
        Assert.Equal(10, results.Count);
        Assert.All(results, r => Assert.IsAssignableFrom<OperationCanceledException>(r.Error));
        Assert.Equal(10, progress.Reports.Count);
        Assert.Equal(10, progress.Reports.Max(p => p.Failed));
    }

    [Fact]
    public async Task Progress_IsReportedOncePerCall()
    {
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (messages, _, _) => messages.Single().Text == "bad"
                ? Task.FromException<ChatResponse>(new RateLimitException(new ProviderErrorDetails("test", "m", 429)))
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))),
        };
        var progress = new RecordingProgress();

        var results = await client.GetResponsesAsync(Conversations("a", "bad", "c", "d"), new BatchOptions { MaxDegreeOfParallelism = 2, Progress = progress }, cancellationToken: Ct);

        Assert.IsType<RateLimitException>(results[1].Error);
        Assert.Equal(4, progress.Reports.Count);
        Assert.Equal([0, 1, 2, 3], progress.Reports.Select(p => p.Index).Order());
        Assert.Equal([1, 2, 3, 4], progress.Reports.Select(p => p.Completed).Order());
        Assert.All(progress.Reports, p => Assert.Equal(4, p.Total));
        Assert.Equal(1, progress.Reports.Max(p => p.Failed));
    }

    [Fact]
    public async Task Llm_BatchCompletion_UsesAModelString()
    {
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "mocked" } };

        var results = await Llm.BatchCompletionAsync("mock/batch-model", ["one", "two", "three"], options: options, cancellationToken: Ct);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal("mocked", r.Response!.Text));
    }

    [Fact]
    public void MaxDegreeOfParallelism_MustBePositive()
    {
        Assert.Equal(BatchOptions.DefaultMaxDegreeOfParallelism, new BatchOptions().MaxDegreeOfParallelism);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchOptions { MaxDegreeOfParallelism = 0 });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class RecordingProgress : IProgress<BatchProgress>
    {
        private readonly List<BatchProgress> _reports = [];

        public List<BatchProgress> Reports
        {
            get
            {
                lock (_reports)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(BatchProgress value)
        {
            lock (_reports)
            {
                _reports.Add(value);
            }
        }
    }
}
