using System.Text.Json;
using LiteLlm.Caching;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Caching;

public sealed class ResponseCachingChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (TestChatClient Inner, IChatClient Client) Create(Func<int, string>? answer = null, TimeProvider? time = null)
    {
        var inner = new TestChatClient();
        inner.GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer?.Invoke(inner.Calls) ?? $"answer {inner.Calls}"))
        {
            AdditionalProperties = new() { [ResponseProperties.Cost] = 0.002m, [ResponseProperties.Attempts] = 1 },
        });
        var client = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache(time)).Build();
        return (inner, client);
    }

    [Fact]
    public async Task SameRequest_IsAnsweredFromTheCache_MarkedAsAHitThatCostNothing()
    {
        var (inner, client) = Create();

        var first = await client.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o" }, Ct);
        var second = await client.GetResponseAsync("hello", new ChatOptions { ModelId = "gpt-4o" }, Ct);

        Assert.Equal(1, inner.Calls);
        Assert.Equal("answer 1", second.Text);
        Assert.Equal(false, first.AdditionalProperties![ResponseProperties.CacheHit]);
        Assert.Equal(0.002m, first.AdditionalProperties[ResponseProperties.Cost]);
        Assert.Equal(true, second.AdditionalProperties![ResponseProperties.CacheHit]);
        Assert.Equal(0m, second.AdditionalProperties[ResponseProperties.Cost]);
        Assert.Equal(0, second.AdditionalProperties[ResponseProperties.Attempts]);
    }

    [Fact]
    public async Task DifferentModelMessagesOrTools_AreMisses()
    {
        var (inner, client) = Create();
        var schemaA = JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""");
        var schemaB = JsonElement.Parse("""{"type":"object","properties":{"zip":{"type":"string"}}}""");
        ChatOptions With(params AITool[] tools) => new() { ModelId = "gpt-4o", Tools = tools };

        await client.GetResponseAsync("weather?", With(AIFunctionFactory.CreateDeclaration("weather", "Gets weather", schemaA)), Ct);
        await client.GetResponseAsync("weather?", With(AIFunctionFactory.CreateDeclaration("weather", "Gets weather", schemaA)), Ct);
        Assert.Equal(1, inner.Calls);

        await client.GetResponseAsync("weather?", With(AIFunctionFactory.CreateDeclaration("weather", "Gets weather", schemaB)), Ct);
        await client.GetResponseAsync("weather?", With(AIFunctionFactory.CreateDeclaration("weather", "Other words", schemaA)), Ct);
        await client.GetResponseAsync("weather?", With(AIFunctionFactory.CreateDeclaration("forecast", "Gets weather", schemaA)), Ct);
        await client.GetResponseAsync("weather?", With(), Ct);
        await client.GetResponseAsync("weather?", new ChatOptions { ModelId = "gpt-4o-mini" }, Ct);
        await client.GetResponseAsync("weather now?", With(), Ct);
        await client.GetResponseAsync("weather?", new ChatOptions { ModelId = "gpt-4o", ResponseFormat = ChatResponseFormat.Json }, Ct);
        Assert.Equal(8, inner.Calls);
    }

    [Fact]
    public async Task ACallersOwnAnthropicBody_IsKeyed_FieldsNoOptionCarriesMakeMisses()
    {
        var (inner, client) = Create();
        static ChatOptions Wire(string body) => new()
        {
            ModelId = "claude",
            RawRepresentationFactory = _ => new LiteLlm.Providers.WireJson(LiteLlm.Providers.WireFormat.AnthropicMessages, JsonElement.Parse(body)),
        };

        const string Plain = """{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";
        const string WithContainer = """{"model":"claude","max_tokens":10,"container":"container_1","messages":[{"role":"user","content":"hi"}]}""";
        await client.GetResponseAsync("hi", Wire(Plain), Ct);
        await client.GetResponseAsync("hi", Wire(Plain), Ct);
        Assert.Equal(1, inner.Calls);

        // Sent to Anthropic as it came, so it is another request; the model alias and stream flag are not part of it.
        await client.GetResponseAsync("hi", Wire(WithContainer), Ct);
        Assert.Equal(2, inner.Calls);
        await client.GetResponseAsync("hi", Wire(WithContainer.Replace("\"model\":\"claude\"", "\"model\":\"other-alias\",\"stream\":false", StringComparison.Ordinal)), Ct);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task CallerMetadataAndCacheControls_DoNotChangeTheKey()
    {
        var (inner, client) = Create();

        await client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["metadata"] = new Dictionary<string, object?> { ["user_id"] = "u1" } } }, Ct);
        var hit = await client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { ["metadata"] = new Dictionary<string, object?> { ["user_id"] = "u2" }, ["cache"] = new Dictionary<string, object?> { ["ttl"] = 60 } } }, Ct);

        Assert.Equal(1, inner.Calls);
        Assert.Equal(true, hit.AdditionalProperties![ResponseProperties.CacheHit]);
    }

    [Fact]
    public async Task NoCache_SkipsTheLookupButStoresTheFreshAnswer()
    {
        var (inner, client) = Create();
        await client.GetResponseAsync("q", cancellationToken: Ct);

        var fresh = await client.GetResponseAsync("q", new ChatOptions().WithCache(new Dictionary<string, object?> { ["no-cache"] = true }), Ct);
        var cached = await client.GetResponseAsync("q", cancellationToken: Ct);

        Assert.Equal(2, inner.Calls);
        Assert.Equal("answer 2", fresh.Text);
        Assert.Equal("answer 2", cached.Text);
    }

    [Fact]
    public async Task Hits_AreTheCallersOwn_AndFollowTheStoredAnswer()
    {
        var (inner, client) = Create();
        await client.GetResponseAsync("q", cancellationToken: Ct);

        // A hit's lists and dictionaries are the caller's: changing them does not reach the next hit.
        var first = await client.GetResponseAsync("q", cancellationToken: Ct);
        first.Messages[0].Contents.Add(new TextContent(" tampered"));
        first.Messages.Add(new ChatMessage(ChatRole.User, "extra"));
        first.AdditionalProperties!["x"] = 1;
        var second = await client.GetResponseAsync("q", cancellationToken: Ct);
        Assert.Equal("answer 1", second.Text);
        Assert.Single(second.Messages);
        Assert.False(second.AdditionalProperties!.ContainsKey("x"));
        Assert.NotSame(first, second);

        // A refreshed entry is what the next hit answers, not an earlier decoded copy.
        await client.GetResponseAsync("q", new ChatOptions().WithCache(new Dictionary<string, object?> { ["no-cache"] = true }), Ct);
        var third = await client.GetResponseAsync("q", cancellationToken: Ct);
        Assert.Equal(2, inner.Calls);
        Assert.Equal("answer 2", third.Text);
        Assert.Equal(true, third.AdditionalProperties![ResponseProperties.CacheHit]);
    }

    [Fact]
    public async Task NoStore_ReadsButDoesNotWrite_AsAJsonObject()
    {
        var (inner, client) = Create();
        var noStore = JsonElement.Parse("""{"no-store": true}""");

        await client.GetResponseAsync("q", new ChatOptions().WithCache(noStore), Ct);
        await client.GetResponseAsync("q", new ChatOptions().WithCache(noStore), Ct);
        Assert.Equal(2, inner.Calls);

        await client.GetResponseAsync("q", cancellationToken: Ct);
        var hit = await client.GetResponseAsync("q", new ChatOptions().WithCache(noStore), Ct);
        Assert.Equal(3, inner.Calls);
        Assert.Equal(true, hit.AdditionalProperties![ResponseProperties.CacheHit]);
    }

    [Fact]
    public async Task Ttl_ExpiresTheEntry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var (inner, client) = Create(time: time);
        var options = () => new ChatOptions().WithCache(new Dictionary<string, object?> { ["ttl"] = 600 });

        await client.GetResponseAsync("q", options(), Ct);
        time.Advance(TimeSpan.FromSeconds(599));
        await client.GetResponseAsync("q", options(), Ct);
        Assert.Equal(1, inner.Calls);

        time.Advance(TimeSpan.FromSeconds(2));
        await client.GetResponseAsync("q", options(), Ct);
        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Namespace_SeparatesEntries()
    {
        var (inner, client) = Create();
        ChatOptions In(string ns) => new ChatOptions().WithCache(new Dictionary<string, object?> { ["namespace"] = ns });

        await client.GetResponseAsync("q", In("team-a"), Ct);
        await client.GetResponseAsync("q", In("team-b"), Ct);
        await client.GetResponseAsync("q", In("team-a"), Ct);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task Streaming_IsStoredWhenComplete_AndReplayedFromTheCache()
    {
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(
                new ChatResponseUpdate(ChatRole.Assistant, "Hel") { MessageId = "m1" },
                new ChatResponseUpdate(ChatRole.Assistant, "lo") { MessageId = "m1", FinishReason = ChatFinishReason.Stop }),
        };
        var client = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        var first = await client.GetStreamingResponseAsync("q", cancellationToken: Ct).ToListAsync(Ct);
        var replay = await client.GetStreamingResponseAsync("q", cancellationToken: Ct).ToListAsync(Ct);
        var nonStreaming = await client.GetResponseAsync("q", cancellationToken: Ct);

        Assert.Equal(1, inner.Calls);
        Assert.Equal("Hello", first.ToChatResponse().Text);
        Assert.Equal("Hello", replay.ToChatResponse().Text);
        Assert.Equal(ChatFinishReason.Stop, replay.ToChatResponse().FinishReason);
        Assert.Equal(true, replay[^1].AdditionalProperties![ResponseProperties.CacheHit]);
        Assert.Equal(0m, replay[^1].AdditionalProperties![ResponseProperties.Cost]);
        Assert.Equal("Hello", nonStreaming.Text);
    }

    [Fact]
    public async Task FiftyIdenticalConcurrentRequests_MakeOneUpstreamCall()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = async (_, _, _) =>
            {
                await release.Task;
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "shared"));
            },
        };
        var client = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        var calls = Enumerable.Range(0, 50).Select(_ => Task.Run(() => client.GetResponseAsync("same", cancellationToken: Ct), Ct)).ToList();
        await Task.Delay(200, Ct);
        release.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(1, inner.Calls);
        Assert.All(responses, r => Assert.Equal("shared", r.Text));
        Assert.Single(responses, r => r.AdditionalProperties![ResponseProperties.CacheHit] is false);
    }

    [Fact]
    public async Task ErrorsAndEmptyAnswers_AreNotStored_ButToolCallsAre()
    {
        var answers = new Queue<ChatResponse>(
        [
            new ChatResponse(new ChatMessage(ChatRole.Assistant, [new ErrorContent("upstream refused")])),
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "")),
            new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "weather")])),
        ]);
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromResult(answers.Dequeue()) };
        var client = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        for (var i = 0; i < 4; i++)
        {
            await client.GetResponseAsync("q", cancellationToken: Ct);
        }

        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task UpstreamFailures_ReachTheCaller_AndAreNotCached()
    {
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw new TimeoutException("slow") };
        var client = inner.AsBuilder().UseResponseCaching(CacheTestHelpers.NewCache()).Build();

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync("q", cancellationToken: Ct));
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync("q", cancellationToken: Ct));
        Assert.Equal(2, inner.Calls);
    }
}
