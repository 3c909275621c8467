using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Providers.Mock;

namespace LiteLlm.Tests.Providers.Mock;

public sealed class MockChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PerCallScript_OverridesTheDeploymentScript()
    {
        var client = new MockChatClient("m", new Dictionary<string, object?> { [CallSettings.MockResponse] = "deployment" });
        Assert.Equal("deployment", (await client.GetResponseAsync("x", cancellationToken: Ct)).Text);

        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "call" } };
        Assert.Equal("call", (await client.GetResponseAsync("x", options, Ct)).Text);
    }

    [Fact]
    public async Task ScriptedToolCalls_ComeBackAsParallelCalls()
    {
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [CallSettings.MockToolCalls] = new[]
                {
                    new { name = "get_weather", arguments = new { location = "Paris" } },
                    new { name = "get_time", arguments = new { location = "Oslo" } },
                },
            },
        };

        var response = await new MockChatClient().GetResponseAsync("x", options, Ct);

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal(["call_mock_0", "call_mock_1"], calls.Select(c => c.CallId));
        Assert.Equal("Oslo", calls[1].Arguments!["location"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Theory]
    [InlineData("litellm.RateLimitError", typeof(RateLimitException))]
    [InlineData("litellm.ContextWindowExceededError", typeof(ContextWindowExceededException))]
    [InlineData("litellm.429", typeof(RateLimitException))]
    [InlineData("litellm.529", typeof(ServiceUnavailableException))]
    public async Task ScriptedErrors_AreTheUnifiedTypes(string script, Type expected)
    {
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = script } };
        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => new MockChatClient().GetResponseAsync("x", options, Ct));
        Assert.IsType(expected, error);
        Assert.Equal("mock", error.Provider);
    }

    [Fact]
    public async Task Latency_IsHonouredAndCancellable()
    {
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.MockLatency] = 10_000 } };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new MockChatClient().GetResponseAsync("x", options, cts.Token));
    }

    [Fact]
    public async Task PerCallScript_ReachesTheMockThroughTheFactory()
    {
        using var factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions { EnvironmentVariables = _ => null });
        var client = factory.CreateChatClient("mock/m");
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [CallSettings.MockResponse] = "scripted",
                [CallSettings.MockToolCalls] = new[] { new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }) },
            },
        };

        var response = await client.GetResponseAsync("x", options, Ct);

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("get_weather", Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).Name);
        Assert.Equal("scripted", (await new LiteLlmChatClient("mock/m", factory: factory)
            .GetResponseAsync("x", new ChatOptions { AdditionalProperties = new() { [CallSettings.MockResponse] = "scripted" } }, Ct)).Text);
    }
}
