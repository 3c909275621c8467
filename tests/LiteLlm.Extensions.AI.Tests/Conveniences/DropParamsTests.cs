using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Routing;
using LiteLlm.Tests.Providers.Anthropic;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests.Conveniences;

/// <summary>drop_params: the supported-parameter table, refusal by default, and dropping per call, factory and deployment.</summary>
public sealed class DropParamsTests
{
    private const string Claude = "anthropic/claude-3-5-haiku-20241022";
    private readonly FakeUpstream _upstream = new();
    private readonly Dictionary<string, string> _env = new() { ["ANTHROPIC_API_KEY"] = "sk-ant-test", ["OPENAI_API_KEY"] = "sk-test" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LiteLlmClientFactory Factory(bool dropParams = false) => new(new LiteLlmClientFactoryOptions
    {
        HttpMessageHandler = _upstream,
        EnvironmentVariables = name => _env.TryGetValue(name, out var v) ? v : null,
        Providers = new ProviderRegistry(),
        DropParams = dropParams,
    });

    [Fact]
    public void TheTable_StatesEachProtocolsParameters()
    {
        Assert.DoesNotContain("top_k", SupportedParameters.For(ProviderProtocol.OpenAI));
        Assert.Contains("seed", SupportedParameters.For("groq"));
        Assert.Contains("logprobs", SupportedParameters.For("azure"));

        var anthropic = SupportedParameters.For("anthropic");
        Assert.Contains("top_k", anthropic);
        Assert.DoesNotContain("seed", anthropic);
        Assert.DoesNotContain("frequency_penalty", anthropic);
        Assert.DoesNotContain("presence_penalty", anthropic);

        Assert.Superset(new HashSet<string> { "seed", "top_k", "frequency_penalty", "presence_penalty" }, new HashSet<string>(SupportedParameters.For(ProviderProtocol.Gemini)));
        Assert.Superset(new HashSet<string> { "seed", "top_k", "frequency_penalty", "presence_penalty" }, new HashSet<string>(SupportedParameters.For("cohere")));
        Assert.Superset(new HashSet<string> { "seed", "top_k", "frequency_penalty", "presence_penalty" }, new HashSet<string>(SupportedParameters.For("ollama")));

        var bedrock = SupportedParameters.For("bedrock");
        Assert.Contains("top_k", bedrock);
        Assert.DoesNotContain("seed", bedrock);
        Assert.DoesNotContain("presence_penalty", bedrock);

        Assert.Equal(SupportedParameters.All.Count, SupportedParameters.For("mock").Count);
        Assert.Throws<ArgumentException>(() => SupportedParameters.For("no-such-provider"));
    }

    [Fact]
    public async Task AnUnsupportedParameter_IsRefused_NamingParameterAndProvider_BeforeAnythingIsSent()
    {
        using var factory = Factory();

        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(
            () => factory.CreateChatClient(Claude).GetResponseAsync("Hi", new ChatOptions { Seed = 7 }, Ct));

        Assert.Equal("seed", error.Parameter);
        Assert.Equal("anthropic", error.Provider);
        Assert.Contains("seed", error.Message, StringComparison.Ordinal);
        Assert.Contains("drop_params", error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.HttpStatus);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task TopK_IsRefusedByOpenAI_AndNIsRefusedByAnthropic()
    {
        using var factory = Factory();

        var topK = await Assert.ThrowsAsync<UnsupportedParameterException>(
            () => factory.CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("Hi", new ChatOptions { TopK = 5 }, Ct));
        var n = await Assert.ThrowsAsync<UnsupportedParameterException>(
            () => factory.CreateChatClient(Claude).GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { ["n"] = 2 } }, Ct));

        Assert.Equal(("top_k", "openai"), (topK.Parameter, topK.Provider));
        Assert.Equal(("n", "anthropic"), (n.Parameter, n.Provider));
    }

    [Fact]
    public async Task PerCall_DropParams_DropsAndRecords_AndLeavesTheCallersOptionsAlone()
    {
        _upstream.Json(AnthropicWire.Text("ok"));
        using var factory = Factory();
        var options = new ChatOptions
        {
            Temperature = 0.5f,
            Seed = 7,
            PresencePenalty = 0.1f,
            AdditionalProperties = new() { [CallSettings.DropParams] = true, ["n"] = 2, ["service_tier"] = "auto" },
        };

        var response = await factory.CreateChatClient(Claude).GetResponseAsync("Hi", options, Ct);

        var body = _upstream.LastRequest.Json;
        Assert.Equal(0.5, body.GetProperty("temperature").GetDouble());
        Assert.False(body.TryGetProperty("seed", out _));
        Assert.False(body.TryGetProperty("presence_penalty", out _));
        Assert.False(body.TryGetProperty("n", out _));
        Assert.False(body.TryGetProperty("drop_params", out _));
        Assert.Equal("auto", body.GetProperty("service_tier").GetString()); // provider-specific pass-through is untouched
        Assert.Equal(["seed", "presence_penalty", "n"], Assert.IsType<string[]>(response.AdditionalProperties![ResponseProperties.DroppedParams]));
        Assert.Equal(7, options.Seed);
        Assert.True(options.AdditionalProperties.ContainsKey("n"));
    }

    [Fact]
    public async Task NothingDropped_RecordsNothing()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        using var factory = Factory(dropParams: true);

        var response = await factory.CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("Hi", new ChatOptions { Seed = 1, Temperature = 0 }, Ct);

        Assert.False(response.AdditionalProperties!.ContainsKey(ResponseProperties.DroppedParams));
        Assert.Equal(1, _upstream.LastRequest.Json.GetProperty("seed").GetInt32());
    }

    [Fact]
    public async Task Factory_DropParams_Drops_UnlessTheCallSaysOtherwise()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        using var factory = Factory(dropParams: true);
        var client = factory.CreateChatClient("openai/gpt-4o-mini");

        var response = await client.GetResponseAsync("Hi", new ChatOptions { TopK = 40, Temperature = 0.2f }, Ct);

        Assert.False(_upstream.LastRequest.Json.TryGetProperty("top_k", out _));
        Assert.Equal(["top_k"], (string[])response.AdditionalProperties![ResponseProperties.DroppedParams]!);

        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(() => client.GetResponseAsync(
            "Hi", new ChatOptions { TopK = 40, AdditionalProperties = new() { [CallSettings.DropParams] = false } }, Ct));
        Assert.Equal("top_k", error.Parameter);
    }

    [Fact]
    public async Task Deployment_DropParams_DropsThroughTheRouter()
    {
        _upstream.Json(AnthropicWire.Text("routed"));
        using var factory = Factory();
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments =
            [
                new Deployment
                {
                    ModelGroup = "claude",
                    Model = Claude,
                    Provider = new ProviderOptions { Settings = new Dictionary<string, object?> { [CallSettings.DropParams] = true } },
                },
            ],
        }, factory);

        var response = await router.GetResponseAsync("Hi", new ChatOptions { ModelId = "claude", FrequencyPenalty = 0.3f }, Ct);

        Assert.Equal("routed", response.Text);
        Assert.False(_upstream.LastRequest.Json.TryGetProperty("frequency_penalty", out _));
        Assert.Equal(["frequency_penalty"], (string[])response.AdditionalProperties![ResponseProperties.DroppedParams]!);
    }

    [Fact]
    public async Task Streams_RecordTheDroppedParameters_OnTheFinalUpdate()
    {
        _upstream.Sse(AnthropicWire.TextStream(["Hel", "lo"]));
        using var factory = Factory();
        var options = new ChatOptions { Seed = 3, AdditionalProperties = new() { [CallSettings.DropParams] = "true" } };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in factory.CreateChatClient(Claude).GetStreamingResponseAsync("Hi", options, Ct))
        {
            updates.Add(update);
        }

        var withDropped = updates.Where(u => u.AdditionalProperties?.ContainsKey(ResponseProperties.DroppedParams) == true).ToList();
        var last = Assert.Single(withDropped);
        Assert.NotNull(last.FinishReason);
        Assert.Equal(["seed"], (string[])last.AdditionalProperties![ResponseProperties.DroppedParams]!);
        Assert.Equal("Hello", updates.ToChatResponse().Text);
        Assert.False(_upstream.LastRequest.Json.TryGetProperty("seed", out _));
    }

    [Fact]
    public void TheCheck_AllocatesNothing_WhenNothingIsUnsupported()
    {
        ProviderRegistry.Default.TryGet("anthropic", out var anthropic);
        var endpoint = new ProviderEndpoint(anthropic, new Uri("https://api.anthropic.com/"), "k", null, new Dictionary<string, string>(), TimeSpan.FromMinutes(1), new Dictionary<string, object?>());
        var policy = new ParameterPolicy(endpoint, "claude", factoryDropsParams: false);
        var options = new ChatOptions { Temperature = 0.1f, TopK = 3, MaxOutputTokens = 10, StopSequences = ["x"], AdditionalProperties = new() { ["service_tier"] = "auto" } };
        Assert.Null(policy.Apply(options)); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            policy.Apply(options);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Streams_AreRefusedToo()
    {
        using var factory = Factory();

        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(async () =>
        {
            await foreach (var _ in factory.CreateChatClient("bedrock/anthropic.claude-3-haiku-20240307-v1:0").GetStreamingResponseAsync("Hi", new ChatOptions { Seed = 1 }, Ct))
            {
            }
        });

        Assert.Equal(("seed", "bedrock"), (error.Parameter, error.Provider));
    }
}
