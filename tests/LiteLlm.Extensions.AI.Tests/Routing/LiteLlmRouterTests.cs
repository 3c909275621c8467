using LiteLlm.Errors;
using LiteLlm.Routing;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Routing;

public sealed class LiteLlmRouterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Deployment D(string group, ScriptedChatClient client, int? weight = null, int? rpm = null, int? order = null, int? maxInput = null, string? id = null)
        => new() { ModelGroup = group, Model = "mock/" + client.Name, Client = client, Weight = weight, Rpm = rpm, Order = order, MaxInputTokens = maxInput, Id = id ?? client.Name };

    private static LiteLlmException Error(int status, string message = "boom", TimeSpan? retryAfter = null)
        => ErrorMapper.Classify(new ProviderErrorDetails("mock", "m", status, message), retryAfter);

    private static Func<int, CancellationToken, Task<ChatResponse>> Fails(int status, TimeSpan? retryAfter = null, string message = "boom")
        => (_, _) => Task.FromException<ChatResponse>(Error(status, message, retryAfter));

    [Fact]
    public async Task SimpleShuffle_FollowsWeights()
    {
        var a = new ScriptedChatClient("a");
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("g", a, weight: 1), D("g", b, weight: 3)] });

        for (var i = 0; i < 10_000; i++)
        {
            await router.GetResponseAsync("hi", new ChatOptions { ModelId = "g" }, Ct);
        }

        Assert.InRange(b.Calls / 10_000.0, 0.72, 0.78);
        Assert.Equal(10_000, a.Calls + b.Calls);
    }

    [Fact]
    public async Task LeastBusy_PicksTheLeastLoaded()
    {
        var release = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = new[] { "a", "b", "c" }.Select(n => new ScriptedChatClient(n) { OnCall = (_, _) => release.Task }).ToArray();
        var router = new LiteLlmRouter(new RouterOptions { RoutingStrategy = RoutingStrategies.LeastBusy, Deployments = [.. clients.Select(c => D("g", c))] });

        // Each call finds the others busy, so three concurrent calls land on three deployments.
        var calls = Enumerable.Range(0, 3).Select(i => router.GetResponseAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: Ct)).ToList();

        Assert.All(clients, c => Assert.Equal(1, c.Calls));
        Assert.All(router.DeploymentsOf("g"), d => Assert.Equal(1, d.InFlight));
        release.SetResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "done")));
        await Task.WhenAll(calls);
        Assert.All(router.DeploymentsOf("g"), d => Assert.Equal(0, d.InFlight));
    }

    [Fact]
    public async Task UsageLimits_SkipFullDeployments_ThenSayWhenToRetry()
    {
        var a = new ScriptedChatClient("a");
        var b = new ScriptedChatClient("b");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var router = new LiteLlmRouter(new RouterOptions { RoutingStrategy = RoutingStrategies.UsageBased, TimeProvider = time, Deployments = [D("g", a, rpm: 2), D("g", b, rpm: 3)] });

        for (var i = 0; i < 5; i++)
        {
            await router.GetResponseAsync("hi", cancellationToken: Ct);
        }

        Assert.Equal(2, a.Calls);
        Assert.Equal(3, b.Calls);
        var error = await Assert.ThrowsAsync<RateLimitException>(() => router.GetResponseAsync("hi", cancellationToken: Ct));
        Assert.Contains("No deployments available", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.RetryAfter);

        time.Advance(TimeSpan.FromMinutes(1));
        await router.GetResponseAsync("hi", cancellationToken: Ct); // a new minute
    }

    [Fact]
    public async Task Cooldown_StartsOn429_AndExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new ScriptedChatClient("a") { OnCall = Fails(429) };
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { TimeProvider = time, CooldownTime = TimeSpan.FromSeconds(30), Deployments = [D("g", a, order: 1), D("g", b, order: 2)] });

        var response = await router.GetResponseAsync("hi", cancellationToken: Ct);
        Assert.Equal("b", response.Text); // a failed once, cooled down, the retry went to b at once
        Assert.Equal(2, response.AdditionalProperties![ResponseProperties.Attempts]);
        Assert.Equal("b", response.AdditionalProperties[ResponseProperties.Deployment]);

        await router.GetResponseAsync("hi", cancellationToken: Ct);
        Assert.Equal(1, a.Calls); // still cooling down: lower order skipped

        a.OnCall = null;
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("a", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task AllowedFails_CoolDownAfterTooManyServerErrors()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new ScriptedChatClient("a") { OnCall = Fails(500) };
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { TimeProvider = time, AllowedFails = 2, NumRetries = 0, Deployments = [D("g", a, order: 1), D("g", b, order: 2)] });

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InternalServerException>(() => router.GetResponseAsync("hi", cancellationToken: Ct));
        }

        Assert.Equal("b", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text); // third failure > allowed 2
    }

    [Fact]
    public async Task NumRetriesPerRequest_ReplacesTheRoutersOwn()
    {
        var a = new ScriptedChatClient("a") { OnCall = Fails(500) };
        var router = new LiteLlmRouter(new RouterOptions { NumRetries = 0, RetryBaseDelay = TimeSpan.Zero, AllowedFails = 100, Deployments = [D("g", a)] });

        await Assert.ThrowsAsync<InternalServerException>(() => router.GetResponseAsync("hi", cancellationToken: Ct));
        Assert.Equal(1, a.Calls);

        var options = new ChatOptions { AdditionalProperties = new() { ["num_retries"] = System.Text.Json.JsonDocument.Parse("2").RootElement } };
        await Assert.ThrowsAsync<InternalServerException>(() => router.GetResponseAsync("hi", options, Ct));
        Assert.Equal(4, a.Calls); // one call and two retries

        var retrying = new LiteLlmRouter(new RouterOptions { NumRetries = 3, RetryBaseDelay = TimeSpan.Zero, AllowedFails = 100, Deployments = [D("g", a)] });
        await Assert.ThrowsAsync<InternalServerException>(() => retrying.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["num_retries"] = 0 } }, Ct));
        Assert.Equal(5, a.Calls); // asked for none: no retry
    }

    [Fact]
    public async Task OnlyDeployment_IsNeverCooledDown()
    {
        var a = new ScriptedChatClient("a") { OnCall = Fails(429) };
        var router = new LiteLlmRouter(new RouterOptions { NumRetries = 0, Deployments = [D("g", a)] });

        await Assert.ThrowsAsync<RateLimitException>(() => router.GetResponseAsync("hi", cancellationToken: Ct));
        a.OnCall = null;
        Assert.Equal("a", (await router.GetResponseAsync("hi", cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task RetryAfter_IsHonouredWhenNoOtherDeploymentIsHealthy()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new ScriptedChatClient("a") { OnCall = (n, ct) => n == 1 ? Task.FromException<ChatResponse>(Error(429, retryAfter: TimeSpan.FromSeconds(3))) : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))) };
        var router = new LiteLlmRouter(new RouterOptions { TimeProvider = time, Deployments = [D("g", a)] });

        var task = router.GetResponseAsync("hi", cancellationToken: Ct);
        var advanced = TimeSpan.Zero;
        while (!task.IsCompleted && advanced < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(5, Ct);
            time.Advance(TimeSpan.FromMilliseconds(250));
            advanced += TimeSpan.FromMilliseconds(250);
            if (a.Calls == 1)
            {
                Assert.True(advanced <= TimeSpan.FromSeconds(3), "retried before Retry-After");
            }
        }

        Assert.Equal("ok", (await task).Text);
        Assert.InRange(advanced, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    public async Task NoRetryOrFallback_OnBadRequestOrAuth(int status)
    {
        var a = new ScriptedChatClient("a") { OnCall = Fails(status) };
        var b = new ScriptedChatClient("b");
        var other = new ScriptedChatClient("other");
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments = [D("g", a), D("other", other)],
            Fallbacks = { ["g"] = ["other"] },
        });

        await Assert.ThrowsAnyAsync<LiteLlmException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "g" }, Ct));
        Assert.Equal(1, a.Calls);
        Assert.Equal(0, other.Calls);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task Fallbacks_AreTriedInOrder_AndReported()
    {
        var a = new ScriptedChatClient("a") { OnCall = Fails(503) };
        var b = new ScriptedChatClient("b") { OnCall = Fails(500) };
        var c = new ScriptedChatClient("c");
        var router = new LiteLlmRouter(new RouterOptions
        {
            NumRetries = 0,
            Deployments = [D("primary", a), D("second", b), D("third", c)],
            Fallbacks = { ["primary"] = ["second", "third"] },
        });

        var response = await router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct);

        Assert.Equal("c", response.Text);
        Assert.Equal(["second", "third"], (string[])response.AdditionalProperties![ResponseProperties.Fallbacks]!);
        Assert.Equal("primary", response.AdditionalProperties[ResponseProperties.ModelGroup]);
        Assert.Equal(3, response.AdditionalProperties[ResponseProperties.Attempts]);
    }

    [Fact]
    public async Task PerRequestFallbacks_ReplaceTheConfiguredOnes()
    {
        var a = new ScriptedChatClient("a") { OnCall = Fails(503) };
        var b = new ScriptedChatClient("b");
        var c = new ScriptedChatClient("c");
        var router = new LiteLlmRouter(new RouterOptions { NumRetries = 0, Deployments = [D("g", a), D("b", b), D("c", c)], Fallbacks = { ["g"] = ["b"] } });

        var response = await router.GetResponseAsync("hi", new ChatOptions { ModelId = "g", AdditionalProperties = new() { ["fallbacks"] = new[] { "c" } } }, Ct);
        Assert.Equal("c", response.Text);
    }

    [Fact]
    public async Task ContextWindowErrors_UseContextWindowFallbacksOnly()
    {
        var small = new ScriptedChatClient("small") { OnCall = (_, _) => Task.FromException<ChatResponse>(new ContextWindowExceededException(new ProviderErrorDetails("mock", "small", 400, "maximum context length is 8192 tokens"))) };
        var general = new ScriptedChatClient("general");
        var large = new ScriptedChatClient("large");
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments = [D("small", small), D("general", general), D("large", large)],
            Fallbacks = { ["small"] = ["general"] },
            ContextWindowFallbacks = { ["small"] = ["large"] },
        });

        var response = await router.GetResponseAsync("a long prompt", new ChatOptions { ModelId = "small" }, Ct);
        Assert.Equal("large", response.Text);
        Assert.Equal(1, small.Calls); // no retry of a context-window error
        Assert.Equal(0, general.Calls);
    }

    [Fact]
    public async Task PreCallChecks_SkipDeploymentsTooSmallForThePrompt()
    {
        var small = new ScriptedChatClient("small");
        var big = new ScriptedChatClient("big");
        var router = new LiteLlmRouter(new RouterOptions
        {
            EnablePreCallChecks = true,
            Deployments = [D("g", small, maxInput: 10, order: 1), D("g", big, maxInput: 100_000, order: 2), D("tiny", new ScriptedChatClient("tiny"), maxInput: 5), D("huge", new ScriptedChatClient("huge"))],
            ContextWindowFallbacks = { ["tiny"] = ["huge"] },
        });
        var prompt = new string('x', 400); // ~100 tokens

        Assert.Equal("big", (await router.GetResponseAsync(prompt, new ChatOptions { ModelId = "g" }, Ct)).Text);
        Assert.Equal(0, small.Calls);
        Assert.Equal("huge", (await router.GetResponseAsync(prompt, new ChatOptions { ModelId = "tiny" }, Ct)).Text);
    }

    [Fact]
    public async Task Streams_FailOverBeforeTheFirstUpdate()
    {
        var a = new ScriptedChatClient("a") { OnStream = (_, _) => FailingStream(Error(503), afterUpdates: 0) };
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("g", a, order: 1), D("g", b, order: 2)] });

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in router.GetStreamingResponseAsync("hi", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal("b", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal("b", updates[0].AdditionalProperties![ResponseProperties.Deployment]);
        Assert.Equal(2, updates[^1].AdditionalProperties![ResponseProperties.Attempts]);
    }

    [Fact]
    public async Task Streams_AfterTheFirstUpdate_ErrorsReachTheCaller()
    {
        var a = new ScriptedChatClient("a") { OnStream = (_, _) => FailingStream(new ServiceUnavailableException(new ProviderErrorDetails("mock", "a", 529, "Overloaded", IsMidStream: true)), afterUpdates: 1) };
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("g", a, order: 1), D("g", b, order: 2)] });

        var received = "";
        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(async () =>
        {
            await foreach (var update in router.GetStreamingResponseAsync("hi", cancellationToken: Ct))
            {
                received += update.Text;
            }
        });

        Assert.Equal("x", received);
        Assert.True(error.IsMidStream);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task StreamTimeout_FailsOverASlowFirstUpdate()
    {
        var a = new ScriptedChatClient("a") { OnStream = (_, ct) => SlowStream(TimeSpan.FromSeconds(30), ct) };
        var b = new ScriptedChatClient("b");
        var router = new LiteLlmRouter(new RouterOptions { StreamTimeout = TimeSpan.FromMilliseconds(100), Deployments = [D("g", a, order: 1), D("g", b, order: 2)] });

        var text = "";
        await foreach (var update in router.GetStreamingResponseAsync("hi", cancellationToken: Ct))
        {
            text += update.Text;
        }

        Assert.Equal("b", text);
    }

    [Fact]
    public async Task StreamTimeout_OfADeployment_OverridesTheRouters()
    {
        // Stricter than the router's (none): the slow deployment fails over after its own 100 ms instead of answering after 5 s.
        var slow = new ScriptedChatClient("slow") { OnStream = (_, ct) => SlowStream(TimeSpan.FromSeconds(5), ct) };
        var next = new ScriptedChatClient("next");
        var strict = new LiteLlmRouter(new RouterOptions
        {
            Deployments = [D("g", slow, order: 1) with { StreamTimeout = TimeSpan.FromMilliseconds(100) }, D("g", next, order: 2)],
        });
        Assert.Equal("next", await TextOf(strict.GetStreamingResponseAsync("hi", cancellationToken: Ct)));

        // More generous than the router's 50 ms: a 300 ms first update is waited for.
        var patient = new ScriptedChatClient("patient") { OnStream = (_, ct) => SlowStream(TimeSpan.FromMilliseconds(300), ct) };
        var generous = new LiteLlmRouter(new RouterOptions
        {
            StreamTimeout = TimeSpan.FromMilliseconds(50),
            Deployments = [D("g", patient) with { StreamTimeout = TimeSpan.FromSeconds(30) }],
        });
        Assert.Equal("slow", await TextOf(generous.GetStreamingResponseAsync("hi", cancellationToken: Ct)));

        static async Task<string> TextOf(IAsyncEnumerable<ChatResponseUpdate> updates)
        {
            var text = "";
            await foreach (var update in updates)
            {
                text += update.Text;
            }

            return text;
        }
    }

    [Fact]
    public async Task Hedging_TakesTheFirstAnswer_AndCancelsTheLoser()
    {
        var slow = new ScriptedChatClient("slow") { OnCall = async (_, ct) => { await Task.Delay(TimeSpan.FromSeconds(30), ct); return new ChatResponse(new ChatMessage(ChatRole.Assistant, "slow")); } };
        var fast = new ScriptedChatClient("fast");
        var router = new LiteLlmRouter(new RouterOptions { HedgeAfter = TimeSpan.FromMilliseconds(50), Deployments = [D("g", slow, order: 1), D("g", fast, order: 1, weight: 0)] });

        var response = await router.GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("fast", response.Text);
        Assert.Equal("fast", response.AdditionalProperties![ResponseProperties.Deployment]);
        await WaitUntil(() => slow.Cancellations == 1);
    }

    [Fact]
    public async Task Aliases_AndUnknownGroups()
    {
        var a = new ScriptedChatClient("a");
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("gpt-4o", a), D("other", new ScriptedChatClient("o"))], ModelGroupAlias = { ["gpt-4"] = "gpt-4o" } });

        Assert.Equal("a", (await router.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4" }, Ct)).Text);
        var error = await Assert.ThrowsAsync<UnknownModelException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "nope" }, Ct));
        Assert.Contains("gpt-4o", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new LiteLlmRouter(new RouterOptions { Deployments = [D("g", a)], Fallbacks = { ["g"] = ["missing"] } }));
    }

    [Fact]
    public void Metadata_IsReachableForSemanticKernel()
    {
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("g", new ScriptedChatClient("a"))] });
        Assert.Equal("g", router.GetService<ChatClientMetadata>()?.DefaultModelId);
    }

    [Fact]
    public async Task ThroughProviders_MockDeploymentsWork()
    {
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments =
            [
                new Deployment { ModelGroup = "chat", Model = "mock/a", Provider = new() { Settings = new Dictionary<string, object?> { ["mock_response"] = "litellm.RateLimitError" } }, Order = 1 },
                new Deployment { ModelGroup = "chat", Model = "mock/b", Provider = new() { Settings = new Dictionary<string, object?> { ["mock_response"] = "from b" } }, Order = 2 },
            ],
        });

        var response = await router.GetResponseAsync("hi", new ChatOptions { ModelId = "chat" }, Ct);
        Assert.Equal("from b", response.Text);
        Assert.Equal("mock", response.AdditionalProperties![ResponseProperties.Provider]);
        var embeddings = await router.EmbeddingGenerator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "chat" }, Ct);
        Assert.Single(embeddings);
    }

    internal static async IAsyncEnumerable<ChatResponseUpdate> FailingStream(Exception error, int afterUpdates)
    {
        for (var i = 0; i < afterUpdates; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "x");
        }

        await Task.Yield();
        throw error;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> SlowStream(TimeSpan delay, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(delay, ct);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "slow");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
