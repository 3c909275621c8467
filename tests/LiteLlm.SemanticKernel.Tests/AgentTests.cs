using System.ComponentModel;
using Microsoft.Agents.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace LiteLlm.SemanticKernel.Tests;

public class AgentTests
{
    [Fact]
    public async Task ChatClientAgent_MultiTurnWithTool_OverTheLiteLlmPipeline()
    {
        var upstream = new FakeUpstream().CallFirstTool("""{"city":"Paris"}""").Answer("Sunny in Paris.").Answer("Yes, 21 C is mild.");
        using var factory = Upstreams.Factory(upstream);
        IChatClient pipeline = new ChatClientBuilder(new LiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory))
            .UseFunctionInvocation()
            .UseCostTracking()
            .Build();
        var cities = new List<string>();
        var tool = AIFunctionFactory.Create(([Description("The city.")] string city) =>
        {
            cities.Add(city);
            return $"Sunny, 21 C in {city}";
        }, "get_weather", "Gets the weather for a city.");

        var agent = pipeline.AsAIAgent(instructions: "You are a weather assistant.", name: "weather", tools: [tool]);
        var session = await agent.CreateSessionAsync(TestContext.Current.CancellationToken);
        var first = await agent.RunAsync("Weather in Paris?", session, cancellationToken: TestContext.Current.CancellationToken);
        var second = await agent.RunAsync("Is that warm?", session, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Sunny in Paris.", first.Text);
        Assert.Equal("Yes, 21 C is mild.", second.Text);
        Assert.Equal(["Paris"], cities); // one tool loop: the agent reused the pipeline's function invocation
        Assert.Equal(3, upstream.Requests.Count);

        // The second turn carries the whole first turn, tool call and result included.
        var roles = upstream.Requests[2].Messages().Select(m => m.GetProperty("role").GetString()).ToArray();
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "user"], roles);
        Assert.Contains("Sunny, 21 C in Paris", upstream.Requests[2].Messages()[3].GetProperty("content").ToString());
    }

    [Fact]
    public async Task KernelAgent_UsesKernelPluginsAndFilters()
    {
        var upstream = new FakeUpstream().CallFirstTool("""{"city":"Kyiv"}""").Answer("Sunny in Kyiv.").Answer("You asked about Kyiv.");
        using var factory = Upstreams.Factory(upstream);
        var kb = Kernel.CreateBuilder();
        kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory: factory).UseCostTracking();
        var plugin = new WeatherPlugin();
        kb.Plugins.AddFromObject(plugin, "weather");
        var filter = new RecordingFilter();
        kb.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
        var kernel = kb.Build();

        var agent = LiteLlmAgents.CreateAgent(kernel, "You are a weather assistant.", "weather");
        var session = await agent.CreateSessionAsync(TestContext.Current.CancellationToken);
        var first = await agent.RunAsync("Weather in Kyiv?", session, cancellationToken: TestContext.Current.CancellationToken);
        var second = await agent.RunAsync("Which city did I ask about?", session, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Sunny in Kyiv.", first.Text);
        Assert.Equal("You asked about Kyiv.", second.Text);
        Assert.Equal(["Kyiv"], plugin.Cities);
        Assert.Equal(["get_weather(Kyiv)"], filter.Calls);
        Assert.Equal(3, upstream.Requests.Count);
        Assert.Contains("get_weather", Upstreams.FirstToolName(upstream.Requests[0]));
        Assert.Equal(6, upstream.Requests[2].Messages().Length);
    }
}
