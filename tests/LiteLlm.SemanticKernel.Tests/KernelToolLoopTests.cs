using LiteLlm.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LiteLlm.SemanticKernel.Tests;

public class KernelToolLoopTests
{
    private static readonly PromptExecutionSettings Auto = new() { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

    private static (Kernel Kernel, WeatherPlugin Plugin, RecordingFilter Filter) Build(Action<IKernelBuilder> register)
    {
        var kb = Kernel.CreateBuilder();
        register(kb);
        var plugin = new WeatherPlugin();
        kb.Plugins.AddFromObject(plugin, "weather");
        var filter = new RecordingFilter();
        kb.Services.AddSingleton<IAutoFunctionInvocationFilter>(filter);
        return (kb.Build(), plugin, filter);
    }

    [Fact]
    public async Task ToolLoop_RunsPluginAndFilter_AndSendsToolResultUpstream()
    {
        var upstream = new FakeUpstream().CallFirstTool("""{"city":"Paris"}""").Answer("It is sunny in Paris.");
        using var factory = Upstreams.Factory(upstream);
        var (kernel, plugin, filter) = Build(kb => kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory: factory));

        var result = await kernel.InvokePromptAsync("What's the weather in Paris?", new(Auto), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("It is sunny in Paris.", result.ToString());
        Assert.Equal(["Paris"], plugin.Cities);
        Assert.Single(filter.Calls);
        Assert.Contains("(Paris)", filter.Calls[0]);

        Assert.Equal(2, upstream.Requests.Count);
        var first = upstream.Requests[0].Json;
        Assert.Equal("gpt-4o-mini", first.GetProperty("model").GetString());
        Assert.Contains("get_weather", Upstreams.FirstToolName(upstream.Requests[0]));

        var second = upstream.Requests[1].Messages();
        var assistant = second.Single(m => m.GetProperty("role").GetString() == "assistant");
        Assert.Equal("call_1", assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString());
        var tool = second.Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_1", tool.GetProperty("tool_call_id").GetString());
        Assert.Contains("Sunny, 21 C in Paris", tool.GetProperty("content").ToString());
    }

    [Fact]
    public async Task OfflineMock_ScriptedWithTheBareFunctionName_RunsThePluginOnce_AndAnswers()
    {
        // A deployment-level script, as in config.yaml: the mock asks for get_weather (SK offers weather_get_weather),
        // then answers with text once the result is back, so the kernel's loop ends.
        var mock = new LiteLlm.Providers.Mock.MockChatClient("agent", new Dictionary<string, object?>
        {
            ["mock_tool_calls"] = """[{"name":"get_weather","arguments":{"city":"Nairobi"}}]""",
        });
        var (kernel, plugin, filter) = Build(kb => kb.AddLiteLlmChatClient(mock));

        var result = await kernel.InvokePromptAsync("Weather in Nairobi?", new(Auto), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["Nairobi"], plugin.Cities);
        Assert.Single(filter.Calls);
        Assert.Equal("Mock answer from the tool results. weather_get_weather: Sunny, 21 C in Nairobi", result.ToString());
    }

    [Fact]
    public async Task Router_FallsBackUnderKernel_AndKeepsKernelChatOptions()
    {
        // The primary deployment always fails; the backup answers a tool call, then the final answer.
        var backup = new Queue<Func<RecordedRequest, HttpResponseMessage>>();
        backup.Enqueue(r => Upstreams.Ok(Upstreams.ToolCall(Upstreams.FirstToolName(r), """{"city":"Oslo"}""")));
        backup.Enqueue(_ => Upstreams.Ok(Upstreams.Text("Sunny in Oslo.")));
        var upstream = new FakeUpstream
        {
            Fallback = (request, _) => Task.FromResult(request.Uri.Host == "backup.test" ? backup.Dequeue()(request) : Upstreams.ServerError()),
        };
        using var factory = Upstreams.Factory(upstream);

        var optionTypes = new List<string>();
        var probed = new ChatClientBuilder(factory.CreateChatClient("openai/gpt-4o-mini", Upstreams.Key with { ApiBase = "https://backup.test/v1" }))
            .Use((messages, options, next, ct) =>
            {
                optionTypes.Add(options!.GetType().Name);
                return next(messages, options, ct);
            })
            .Build();
        var router = new RouterOptions
        {
            Deployments =
            {
                new Deployment { ModelGroup = "smart", Model = "openai/gpt-4o-mini", Provider = Upstreams.Key with { ApiBase = "https://primary.test/v1" } },
                new Deployment { ModelGroup = "backup", Model = "openai/gpt-4o-mini", Client = probed },
            },
            Fallbacks = { ["smart"] = ["backup"] },
            NumRetries = 0,
            RetryBaseDelay = TimeSpan.Zero,
        };
        var (kernel, plugin, filter) = Build(kb => kb.AddLiteLlmRouter(router, factory: factory).UseCostTracking());

        var settings = new PromptExecutionSettings { ModelId = "smart", FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var result = await kernel.InvokePromptAsync("Weather in Oslo?", new(settings), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Sunny in Oslo.", result.ToString());
        Assert.Equal(["Oslo"], plugin.Cities);
        Assert.Single(filter.Calls);
        Assert.Contains(upstream.Requests, r => r.Uri.Host == "primary.test");
        Assert.Equal(2, upstream.Requests.Count(r => r.Uri.Host == "backup.test"));

        // SK's derived options (they carry the kernel) survive the router's per-deployment copy.
        Assert.Equal(["KernelChatOptions", "KernelChatOptions"], optionTypes);

        var response = Assert.IsType<ChatResponse>(result.GetValue<ChatResponse>());
        var props = response.AdditionalProperties!;
        Assert.Equal("smart", props[ResponseProperties.ModelGroup]);
        Assert.Equal(router.Deployments[1].Id, props[ResponseProperties.Deployment]);
        Assert.Equal(new[] { "backup" }, (string[])props[ResponseProperties.Fallbacks]!);
        Assert.True((decimal)props[ResponseProperties.Cost]! > 0m);
    }

    [Fact]
    public async Task Cost_And_ProviderFacts_AreOnTheInnerChatResponse()
    {
        var upstream = new FakeUpstream().Answer("Hello.");
        using var factory = Upstreams.Factory(upstream);
        var (kernel, _, _) = Build(kb => kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory: factory).UseCostTracking());

        var result = await kernel.InvokePromptAsync("Say hello.", cancellationToken: TestContext.Current.CancellationToken);

        var response = result.GetValue<ChatResponse>()!;
        Assert.Equal("openai", response.AdditionalProperties![ResponseProperties.Provider]);
        var expected = (30 * 0.15m / 1_000_000) + (8 * 0.6m / 1_000_000);
        Assert.Equal(expected, (decimal)response.AdditionalProperties[ResponseProperties.Cost]!);
        Assert.Equal(38, response.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task Cache_AnswersTheSecondIdenticalToolPrompt()
    {
        var upstream = new FakeUpstream().CallFirstTool("""{"city":"Rome"}""").Answer("Sunny in Rome.");
        using var factory = Upstreams.Factory(upstream);
        var (kernel, plugin, _) = Build(kb =>
        {
            kb.Services.AddHybridCache();
            kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory: factory).UseResponseCaching().UseCostTracking();
        });

        var first = await kernel.InvokePromptAsync("Weather in Rome?", new(Auto), cancellationToken: TestContext.Current.CancellationToken);
        var second = await kernel.InvokePromptAsync("Weather in Rome?", new(Auto), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Sunny in Rome.", first.ToString());
        Assert.Equal("Sunny in Rome.", second.ToString());
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal(true, second.GetValue<ChatResponse>()!.AdditionalProperties![ResponseProperties.CacheHit]);
    }

    [Fact]
    public async Task ChatCompletionService_RunsTheSamePipeline()
    {
        var upstream = new FakeUpstream().CallFirstTool("""{"city":"Lima"}""").Answer("Sunny in Lima.");
        using var factory = Upstreams.Factory(upstream);
        var (kernel, plugin, filter) = Build(kb =>
        {
            kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, serviceId: "lite", factory: factory);
            kb.AddLiteLlmChatCompletionService("lite");
        });

        var service = kernel.GetRequiredService<IChatCompletionService>("lite");
        var history = new ChatHistory("You are terse.");
        history.AddUserMessage("Weather in Lima?");
        var answer = await service.GetChatMessageContentAsync(history, Auto, kernel, TestContext.Current.CancellationToken);

        Assert.Equal("Sunny in Lima.", answer.Content);
        Assert.Equal(["Lima"], plugin.Cities);
        Assert.Single(filter.Calls);
    }

    [Fact]
    public async Task Streaming_ThroughTheKernel()
    {
        var upstream = new FakeUpstream().Sse(
            """data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""" + "\n\n"
            + """data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}""" + "\n\n"
            + "data: [DONE]\n\n");
        using var factory = Upstreams.Factory(upstream);
        var (kernel, _, _) = Build(kb => kb.AddLiteLlmChatClient("openai/gpt-4o-mini", Upstreams.Key, factory: factory));

        var text = new System.Text.StringBuilder();
        await foreach (var chunk in kernel.InvokePromptStreamingAsync("Say hello.", cancellationToken: TestContext.Current.CancellationToken))
        {
            text.Append(chunk);
        }

        Assert.Equal("Hello", text.ToString());
    }

    [Fact]
    public async Task StreamingToolLoop_ThroughTheRouter_FailsOverBeforeTheFirstUpdate()
    {
        var backup = new Queue<Func<RecordedRequest, HttpResponseMessage>>();
        backup.Enqueue(r => Upstreams.Sse(Upstreams.ToolCallStream(Upstreams.FirstToolName(r), """{"city":"Cairo"}""")));
        backup.Enqueue(_ => Upstreams.Sse(Upstreams.TextStream("Hot ", "in ", "Cairo.")));
        var upstream = new FakeUpstream
        {
            Fallback = (request, _) => Task.FromResult(request.Uri.Host == "backup.test" ? backup.Dequeue()(request) : Upstreams.ServerError()),
        };
        using var factory = Upstreams.Factory(upstream);
        var router = new RouterOptions
        {
            Deployments =
            {
                new Deployment { ModelGroup = "smart", Model = "openai/gpt-4o-mini", Provider = Upstreams.Key with { ApiBase = "https://primary.test/v1" } },
                new Deployment { ModelGroup = "backup", Model = "openai/gpt-4o-mini", Provider = Upstreams.Key with { ApiBase = "https://backup.test/v1" } },
            },
            Fallbacks = { ["smart"] = ["backup"] },
            NumRetries = 0,
        };
        var (kernel, plugin, filter) = Build(kb => kb.AddLiteLlmRouter(router, factory: factory));

        var settings = new PromptExecutionSettings { ModelId = "smart", FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var text = new System.Text.StringBuilder();
        await foreach (var chunk in kernel.InvokePromptStreamingAsync("Weather in Cairo?", new(settings), cancellationToken: TestContext.Current.CancellationToken))
        {
            text.Append(chunk);
        }

        Assert.Equal("Hot in Cairo.", text.ToString());
        Assert.Equal(["Cairo"], plugin.Cities);
        Assert.Single(filter.Calls);
        Assert.Equal(2, upstream.Requests.Count(r => r.Uri.Host == "backup.test"));
        Assert.Contains("Sunny, 21 C in Cairo", upstream.Requests.Last().Messages().Single(m => m.GetProperty("role").GetString() == "tool").GetProperty("content").ToString());
    }

    [Fact]
    public async Task MockProvider_PerCallToolScript_DrivesTheKernelLoopOffline()
    {
        var (kernel, plugin, filter) = Build(kb => kb.AddLiteLlmChatClient("mock/offline").Use((messages, options, next, ct) =>
        {
            // Script the mock per call: ask for the tool first, then answer with its result.
            var scripted = options!.Clone();
            scripted.AdditionalProperties ??= [];
            if (messages.Last().Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().FirstOrDefault() is { } result)
            {
                scripted.AdditionalProperties["mock_response"] = "Done: " + result.Result;
            }
            else
            {
                var tool = scripted.Tools!.OfType<AIFunctionDeclaration>().First();
                scripted.AdditionalProperties["mock_tool_calls"] = new[] { new Microsoft.Extensions.AI.FunctionCallContent("c1", tool.Name, new Dictionary<string, object?> { ["city"] = "Nairobi" }) };
            }

            return next(messages, scripted, ct);
        }));
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

        var result = await kernel.InvokePromptAsync("Weather in Nairobi?", new(settings), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Done: Sunny, 21 C in Nairobi", result.ToString());
        Assert.Equal(["Nairobi"], plugin.Cities);
        Assert.Single(filter.Calls);
    }
}
