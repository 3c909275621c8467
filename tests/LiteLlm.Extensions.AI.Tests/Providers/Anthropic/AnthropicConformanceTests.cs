using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Anthropic;

/// <summary>Anthropic Messages passes the provider suite through our own translator.</summary>
public sealed class AnthropicConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "anthropic/claude-sonnet-4-5";

    protected override Dictionary<string, string> Environment => new() { ["ANTHROPIC_API_KEY"] = "sk-ant-test-0123456789" };

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text: Upstream.Json(AnthropicWire.Text(ExpectedText)); break;
            case Scenario.TextStream: Upstream.Sse(AnthropicWire.TextStream(ExpectedChunks)); break;
            case Scenario.ToolCall: Upstream.Json(AnthropicWire.ToolCall()); break;
            case Scenario.ToolCallStream: Upstream.Sse(AnthropicWire.ToolCallStream()); break;
            case Scenario.MidStreamError: Upstream.Sse(AnthropicWire.MidStreamError()); break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind) => AnthropicWire.ScriptError(Upstream, kind);

    [Fact]
    public async Task Overloaded529_IsServiceUnavailableAndOverloaded()
    {
        AnthropicWire.ScriptError(Upstream, LiteLlmErrorKind.ServiceUnavailable);

        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => Client().GetResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken));

        Assert.Equal(529, error.StatusCode);
        Assert.True(error.IsOverloaded);
        Assert.True(error.IsTransient);
    }
}
