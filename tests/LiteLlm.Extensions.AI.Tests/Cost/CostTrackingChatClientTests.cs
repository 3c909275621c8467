using LiteLlm.Cost;

namespace LiteLlm.Tests.Cost;

public sealed class CostTrackingChatClientTests
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 1000, OutputTokenCount = 500 };

    [Fact]
    public async Task NonStreaming_SetsTheCost()
    {
        ChatOptions? seen = null;
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, options, _) =>
            {
                seen = options;
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi"))
                {
                    ModelId = "gpt-4o-mini-2024-07-18",
                    Usage = Usage,
                    AdditionalProperties = new() { [ResponseProperties.Provider] = "openai" },
                });
            },
        };
        using var client = inner.AsBuilder().UseCostTracking().Build();
        var options = new ChatOptions { ModelId = "gpt-4o-mini" };

        var response = await client.GetResponseAsync("hello", options, TestContext.Current.CancellationToken);

        Assert.Equal(0.00045m, Assert.IsType<decimal>(response.AdditionalProperties![ResponseProperties.Cost]));
        Assert.Same(options, seen);
        Assert.Same(inner, client.GetService<TestChatClient>());
    }

    [Fact]
    public async Task NonStreaming_UnknownPrice_LeavesTheCostUnset()
    {
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi"))
            {
                ModelId = "llama-homegrown",
                Usage = Usage,
                AdditionalProperties = new() { [ResponseProperties.Provider] = "ollama", [ResponseProperties.Cost] = 1m },
            }),
        };
        using var client = inner.AsBuilder().UseCostTracking().Build();

        var response = await client.GetResponseAsync("hello", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(response.AdditionalProperties!.ContainsKey(ResponseProperties.Cost));
    }

    [Fact]
    public async Task Streaming_PutsTheCostOnTheFinalUsageUpdate()
    {
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(
                new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ModelId = "gpt-4o-mini-2024-07-18" },
                new ChatResponseUpdate(null, "lo") { ModelId = "gpt-4o-mini-2024-07-18" },
                new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop, AdditionalProperties = new() { [ResponseProperties.Provider] = "openai" } },
                new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 600, OutputTokenCount = 200 })] },
                new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 400, OutputTokenCount = 300 })] }),
        };
        using var client = inner.AsBuilder().UseCostTracking().Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hello", cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        Assert.Equal(5, updates.Count);
        Assert.Equal(0.00045m, updates[^1].AdditionalProperties![ResponseProperties.Cost]);
        Assert.All(updates.SkipLast(1), u => Assert.False(u.AdditionalProperties?.ContainsKey(ResponseProperties.Cost) ?? false));
        Assert.Equal(0.00045m, updates.ToChatResponse().AdditionalProperties![ResponseProperties.Cost]);
        Assert.Equal("Hello", updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task Streaming_UsageBeforeTheEnd_AddsAFinalCostUpdate()
    {
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(
                new ChatResponseUpdate { Contents = [new UsageContent(Usage)], ModelId = "claude-haiku-4-5", AdditionalProperties = new() { [ResponseProperties.Provider] = "anthropic" } },
                new ChatResponseUpdate(ChatRole.Assistant, "Hi"),
                new ChatResponseUpdate { FinishReason = ChatFinishReason.Stop }),
        };
        using var client = inner.AsBuilder().UseCostTracking().Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hello", cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        Assert.Equal(4, updates.Count);
        Assert.Equal("Hi", updates[1].Text);

        // 1000 × 0.000001 + 500 × 0.000005
        Assert.Equal(0.0035m, updates[^1].AdditionalProperties![ResponseProperties.Cost]);
    }

    [Fact]
    public async Task Streaming_WithoutUsage_HasNoCost()
    {
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(new ChatResponseUpdate(ChatRole.Assistant, "Hi") { ModelId = "gpt-4o-mini" }),
        };
        using var client = inner.AsBuilder().UseCostTracking().Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hello", cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        var only = Assert.Single(updates);
        Assert.Null(only.AdditionalProperties);
    }
}
