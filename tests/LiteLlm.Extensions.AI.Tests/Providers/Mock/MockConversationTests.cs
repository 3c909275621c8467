using LiteLlm.Providers;
using LiteLlm.Providers.Mock;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Tests.Providers.Mock;

/// <summary>The mock plays a model's part in a tool loop, so function invocation ends with an answer instead of looping.</summary>
public sealed class MockConversationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (IChatClient Client, List<string> Calls, ChatOptions Options) Loop(IChatClient inner, string toolName = "get_weather")
    {
        var calls = new List<string>();
        var tool = AIFunctionFactory.Create((string city) => { calls.Add(city); return $"Sunny in {city}"; }, toolName);
        var client = new ChatClientBuilder(inner).UseFunctionInvocation().Build();
        return (client, calls, new ChatOptions { Tools = [tool] });
    }

    private static Dictionary<string, object?> ToolCallsFor(string name) => new()
    {
        [CallSettings.MockToolCalls] = $$$"""[{"name":"{{{name}}}","arguments":{"city":"Paris"}}]""",
    };

    [Fact]
    public async Task DeploymentToolCalls_AreAskedOnce_ThenTheAnswerIsText()
    {
        var (client, calls, options) = Loop(new MockChatClient("m", ToolCallsFor("get_weather")));

        var response = await client.GetResponseAsync("Weather in Paris?", options, Ct);

        Assert.Equal(["Paris"], calls);                                   // once, not until the iteration limit
        Assert.Equal("Mock answer from the tool results. get_weather: Sunny in Paris", response.Text);
        Assert.Equal(3, response.Messages.Count);                         // tool call, tool result, answer
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task DeploymentToolCalls_Streaming_EndTheSameWay()
    {
        var (client, calls, options) = Loop(new MockChatClient("m", ToolCallsFor("get_weather")));

        var text = string.Concat(await client.GetStreamingResponseAsync("Weather in Paris?", options, Ct).Select(u => u.Text).ToListAsync(Ct));

        Assert.Equal(["Paris"], calls);
        Assert.Equal("Mock answer from the tool results. get_weather: Sunny in Paris", text);
    }

    [Fact]
    public async Task AfterTheToolResults_TheScriptedResponseIsTheAnswer()
    {
        var settings = ToolCallsFor("get_weather");
        settings[CallSettings.MockResponse] = "It is sunny.";
        var (client, calls, options) = Loop(new MockChatClient("m", settings));

        var response = await client.GetResponseAsync("Weather in Paris?", options, Ct);

        Assert.Equal(["Paris"], calls);
        Assert.Equal("It is sunny.", response.Messages[^1].Text);      // the answer; the same text also stood beside the call
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task ANewUserTurn_AsksForTheToolAgain()
    {
        var (client, calls, options) = Loop(new MockChatClient("m", ToolCallsFor("get_weather")));
        List<ChatMessage> history = [new(ChatRole.User, "Weather in Paris?")];
        history.AddRange((await client.GetResponseAsync(history, options, Ct)).Messages);
        history.Add(new(ChatRole.User, "And now?"));

        await client.GetResponseAsync(history, options, Ct);

        Assert.Equal(["Paris", "Paris"], calls);
    }

    [Fact]
    public async Task MockResponses_PlayOneStepPerRoundTrip()
    {
        var script = """
            [
              {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]},
              {"content": "Checking a second city.", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Rome"}}]},
              "Oslo is sunny, and so is Rome."
            ]
            """;
        var (client, calls, options) = Loop(new MockChatClient("m", new Dictionary<string, object?> { [CallSettings.MockResponses] = script }));

        var response = await client.GetResponseAsync("Weather in Oslo and Rome?", options, Ct);

        Assert.Equal(["Oslo", "Rome"], calls);
        Assert.Equal("Oslo is sunny, and so is Rome.", response.Messages[^1].Text);
        var ids = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        Assert.Equal(2, ids.Distinct().Count());                           // each step's calls have their own ids
    }

    [Fact]
    public async Task MockResponses_AStepCanBeAnError()
    {
        var client = new MockChatClient("m", new Dictionary<string, object?> { [CallSettings.MockResponses] = """["litellm.RateLimitError"]""" });
        await Assert.ThrowsAsync<LiteLlm.Errors.RateLimitException>(() => client.GetResponseAsync("x", cancellationToken: Ct));
    }

    [Fact]
    public async Task MockResponses_FromYamlConfig_ReachTheMockThroughAddLiteLlm()
    {
        var file = Path.Combine(Path.GetTempPath(), $"litellm-mock-steps-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            model_list:
              - model_name: agent
                litellm_params:
                  model: mock/agent
                  mock_responses:
                    - tool_calls:
                        - {name: get_weather, arguments: '{"city":"Lima"}'}
                    - "Lima: sunny."
            """, Ct);
        try
        {
            var services = new ServiceCollection();
            services.AddLiteLlm(file).UseFunctionInvocation();
            await using var provider = services.BuildServiceProvider();
            var calls = new List<string>();
            var tool = AIFunctionFactory.Create((string city) => { calls.Add(city); return "sunny"; }, "get_weather");

            var response = await provider.GetRequiredKeyedService<IChatClient>("agent").GetResponseAsync("Weather in Lima?", new ChatOptions { Tools = [tool] }, Ct);

            Assert.Equal(["Lima"], calls);
            Assert.Equal("Lima: sunny.", response.Text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("WeatherPlugin_get_weather")]   // Semantic Kernel's plugin_function form through MEAI
    [InlineData("WeatherPlugin-get_weather")]   // its OpenAI connector's form
    public async Task AScriptedBareName_MatchesTheOfferedPluginFunction(string offered)
    {
        var (client, calls, options) = Loop(new MockChatClient("m", ToolCallsFor("get_weather")), offered);

        var response = await client.GetResponseAsync("Weather in Paris?", options, Ct);

        Assert.Equal(["Paris"], calls);
        Assert.Equal(offered, response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Name);
    }
}
