using System.Diagnostics;
using LiteLlm.MockUpstream;
using LiteLlm.Providers;
using LiteLlm.Routing;
using LiteLlm.Tests.TestInfrastructure;

namespace LiteLlm.Tests.Routing;

/// <summary>
/// Adaptive hedging: a request waiting past its group's observed p95 goes to a second deployment, within the hedged
/// share. Assertions are on behaviour (who answered, how many hedges), never on time.
/// </summary>
public sealed class AdaptiveHedgingTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A deployment that answers after 2 ms, or never (until cancelled) while <see cref="Stuck"/> is set.</summary>
    private sealed class Sticky(string name) : IChatClient
    {
        private int _calls;
        private int _cancelled;

        public volatile bool Stuck;

        public int Calls => Volatile.Read(ref _calls);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            try
            {
                await Task.Delay(Stuck ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, name));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Adaptive_HedgesARequestStuckPastTheObservedP95_AndCancelsTheLoser()
    {
        var a = new Sticky("a");
        var b = new Sticky("b");
        var router = new LiteLlmRouter(new RouterOptions
        {
            AdaptiveHedging = true,
            MaxHedgedShare = 1.0, // every stuck request may be hedged here; the cap has its own test
            Deployments = [new Deployment { ModelGroup = "g", Model = "mock/a", Client = a, Id = "a" }, new Deployment { ModelGroup = "g", Model = "mock/b", Client = b, Id = "b" }],
        });

        for (var i = 0; i < 40; i++)
        {
            await router.GetResponseAsync("warm up", cancellationToken: Ct); // the group learns its p95
        }

        a.Stuck = true;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("b", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text); // without hedging a stuck pick would never answer
        }

        Assert.True(a.Cancelled > 0, "no request was hedged away from the stuck deployment");
    }

    [Fact]
    public async Task Adaptive_HedgesAStreamStuckBeforeItsFirstChunk()
    {
        var stuck = false;
        ScriptedChatClient Streaming(string name) => new(name) { OnStream = (_, ct) => Stream(name, ct) };
        async IAsyncEnumerable<ChatResponseUpdate> Stream(string name, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Delay(name == "a" && stuck ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(2), ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, name);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "!") { FinishReason = ChatFinishReason.Stop };
        }

        var a = Streaming("a");
        var b = Streaming("b");
        var router = new LiteLlmRouter(new RouterOptions
        {
            AdaptiveHedging = true,
            MaxHedgedShare = 1.0,
            Deployments = [new Deployment { ModelGroup = "g", Model = "mock/a", Client = a, Id = "a" }, new Deployment { ModelGroup = "g", Model = "mock/b", Client = b, Id = "b" }],
        });

        async Task<string> StreamText()
        {
            var text = new System.Text.StringBuilder();
            await foreach (var update in router.GetStreamingResponseAsync("hi", cancellationToken: Ct))
            {
                text.Append(update.Text);
            }

            return text.ToString();
        }

        for (var i = 0; i < 40; i++)
        {
            await StreamText(); // the group learns its p95 time to first chunk
        }

        stuck = true;
        var callsBefore = a.Calls;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("b!", await StreamText());
        }

        Assert.True(a.Calls > callsBefore, "no stream started on the stuck deployment, so none was hedged"); // yet every stream answered
    }

    [Fact]
    public async Task Adaptive_AReplicaWithoutSamples_HedgesWithTheP95OthersSharedThroughRedis()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(TestServers.RedisOrSkip());
        var prefix = "litellm:test:" + Guid.NewGuid().ToString("N");
        (LiteLlmRouter Router, Sticky A, Sticky B) Replica()
        {
            var a = new Sticky("a");
            var b = new Sticky("b");
            var router = new LiteLlmRouter(new RouterOptions
            {
                AdaptiveHedging = true,
                MaxHedgedShare = 1.0,
                StateStore = new RedisRouterStateStore(redis, prefix),
                Deployments = [new Deployment { ModelGroup = "g", Model = "mock/a", Client = a, Id = "a" }, new Deployment { ModelGroup = "g", Model = "mock/b", Client = b, Id = "b" }],
            });
            return (router, a, b);
        }

        var warm = Replica();
        for (var i = 0; i < 40; i++)
        {
            await warm.Router.GetResponseAsync("warm up", cancellationToken: Ct);
        }

        await Task.Delay(200, Ct); // the samples are sent fire-and-forget
        var cold = Replica(); // a new replica: no sample of its own
        cold.A.Stuck = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20)); // a request left on the stuck deployment would hang: fail instead
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", (await cold.Router.GetResponseAsync("hi", cancellationToken: timeout.Token)).Text);
        }

        Assert.True(cold.A.Cancelled > 0, "no request was hedged away from the stuck deployment");
    }

    [Fact]
    public async Task Adaptive_DoesNotHedgeBeforeItHasSamples()
    {
        var a = new Sticky("a") { Stuck = true };
        var b = new Sticky("b") { Stuck = true };
        var router = new LiteLlmRouter(new RouterOptions
        {
            AdaptiveHedging = true,
            MaxHedgedShare = 1.0,
            Deployments = [new Deployment { ModelGroup = "g", Model = "mock/a", Client = a, Id = "a" }, new Deployment { ModelGroup = "g", Model = "mock/b", Client = b, Id = "b" }],
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => router.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal(1, a.Calls + b.Calls); // no p95 yet: nothing to hedge after
    }

    [Theory]
    [InlineData(97, 0, 600)] // a tail thinner than the hedged share: hedging can reach all of it
    [InlineData(90, 8, 600)] // more than 5% above the p95: the cap spends itself on the moderate tail too
    public async Task HeavyTail_P99WithAndWithoutHedging_AgainstALoopbackUpstream(int fastPercent, int moderatePercent, int slowMs)
    {
        await using var upstream = await MockUpstreamServer.StartAsync(new MockOptions());
        var address = MockUpstreamServer.AddressOf(upstream);
        int Delay(int roll) => roll < fastPercent ? 10 : roll < fastPercent + moderatePercent ? 40 : slowMs;

        var plain = await MeasureAsync(address, Delay, hedging: false);
        var hedged = await MeasureAsync(address, Delay, hedging: true);

        output.WriteLine($"upstream latency: {fastPercent}% 10 ms, {moderatePercent}% 40 ms, {100 - fastPercent - moderatePercent}% {slowMs} ms; {Requests} requests, {Concurrency} at a time, two deployments");
        output.WriteLine($"without hedging: p50 {plain.P50:0} ms, p99 {plain.P99:0} ms");
        output.WriteLine($"adaptive hedging (p95, cap 5%): p50 {hedged.P50:0} ms, p99 {hedged.P99:0} ms, hedged {hedged.Hedged} of {Requests} ({100.0 * hedged.Hedged / Requests:0.0}%)");
        Assert.Equal(0, plain.Hedged);
        Assert.InRange(hedged.Hedged, 1, (int)(0.05 * Requests) + 2); // the cap holds
    }

    private const int Requests = 400;
    private const int Concurrency = 8;

    private static async Task<(double P50, double P99, int Hedged)> MeasureAsync(string address, Func<int, int> delayOf, bool hedging)
    {
        var random = new Random(42);
        var attempts = 0;
        Action<ChatOptions> scripted = options =>
        {
            Interlocked.Increment(ref attempts);
            int roll;
            lock (random)
            {
                roll = random.Next(100);
            }

            var delay = delayOf(roll);
            (options.AdditionalProperties ??= [])["extra_headers"] = new Dictionary<string, string> { ["x-mock-delay-ms"] = delay.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        };
        var factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions { Providers = new ProviderRegistry() });
        Deployment D(string id) => new() { ModelGroup = "g", Model = "openai/mock-model", Id = id, Provider = new ProviderOptions { ApiBase = address + "/v1", ApiKey = "sk-" + id }, ConfigureOptions = scripted };
        var router = new LiteLlmRouter(new RouterOptions { AdaptiveHedging = hedging, NumRetries = 0, Deployments = [D("one"), D("two")] }, factory);

        for (var i = 0; i < 60; i++)
        {
            await router.GetResponseAsync("warm up", cancellationToken: Ct);
        }

        attempts = 0;
        var latencies = new double[Requests];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                var started = Stopwatch.GetTimestamp();
                await router.GetResponseAsync("hi", cancellationToken: Ct);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));

        Array.Sort(latencies);
        return (latencies[Requests / 2], latencies[(int)(Requests * 0.99) - 1], attempts - Requests);
    }
}
