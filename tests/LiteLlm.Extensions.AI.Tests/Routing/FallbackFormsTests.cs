using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Routing;

namespace LiteLlm.Tests.Routing;

/// <summary>Every LiteLLM form of fallbacks, per request and configured, sent through real failures.</summary>
public sealed class FallbackFormsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Deployment D(string group, ScriptedChatClient client) => new() { ModelGroup = group, Model = "mock/" + client.Name, Client = client, Id = client.Name };

    private static Func<int, CancellationToken, Task<ChatResponse>> Throws(LiteLlmException error) => (_, _) => Task.FromException<ChatResponse>(error);

    private static LiteLlmException ServerError() => ErrorMapper.Classify(new ProviderErrorDetails("mock", "m", 500, "boom"), null);

    private static LiteLlmException ContentPolicy() => new ContentPolicyViolationException(new ProviderErrorDetails("mock", "m", 400, "refused"));

    private static (LiteLlmRouter Router, ScriptedChatClient Primary, ScriptedChatClient B, ScriptedChatClient C) Three(Action<RouterOptions>? configure = null)
    {
        var primary = new ScriptedChatClient("primary") { OnCall = Throws(ServerError()) };
        var b = new ScriptedChatClient("b");
        var c = new ScriptedChatClient("c");
        var options = new RouterOptions { NumRetries = 0, Deployments = [D("primary", primary), D("b", b), D("c", c)] };
        configure?.Invoke(options);
        return (new LiteLlmRouter(options), primary, b, c);
    }

    private static ChatOptions With(string json, string name = "fallbacks")
        => new() { ModelId = "primary", AdditionalProperties = new() { [name] = JsonDocument.Parse(json).RootElement.Clone() } };

    [Theory]
    [InlineData("""["c"]""")]
    [InlineData("""["missing", "c"]""")]
    [InlineData("""[{"primary": ["c"]}]""")]
    [InlineData("""{"primary": ["c", "b"]}""")]
    [InlineData("""[{"other": ["b"]}, {"*": ["c"]}]""")]
    [InlineData("""[{"model": "c"}]""")]
    [InlineData("\"c\"")]
    public async Task RequestFallbacks_EveryForm_ReachesTheNamedGroup(string json)
    {
        var (router, primary, b, c) = Three(o => o.Fallbacks["primary"] = ["b"]);

        var response = await router.GetResponseAsync("hi", With(json), Ct);

        Assert.Equal("c", response.Text);
        Assert.Equal(1, primary.Calls);
        Assert.Equal(0, b.Calls); // the request's fallbacks replace the configured ones
    }

    [Fact]
    public async Task AnEmptyRequestList_MeansNoFallbacks()
    {
        var (router, primary, b, c) = Three(o => o.Fallbacks["primary"] = ["b"]);

        await Assert.ThrowsAnyAsync<LiteLlmException>(() => router.GetResponseAsync("hi", With("[]"), Ct));
        Assert.Equal(0, b.Calls + c.Calls);
    }

    [Fact]
    public async Task RequestFallback_WithItsOwnMessages_SendsThem()
    {
        var seen = new List<string>();
        var primary = new ScriptedChatClient("primary") { OnCall = Throws(ServerError()) };
        var c = new RecordingClient("c", seen);
        var router = new LiteLlmRouter(new RouterOptions { NumRetries = 0, Deployments = [D("primary", primary), new() { ModelGroup = "c", Model = "mock/c", Client = c, Id = "c" }] });

        var response = await router.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "the caller's question")],
            With("""[{"model": "c", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": [{"type": "text", "text": "What is LiteLLM?"}]}]}]"""),
            Ct);

        Assert.Equal("c", response.Text);
        Assert.Equal(["system: be brief", "user: What is LiteLLM?"], seen);
        Assert.Equal(["c"], (string[])response.AdditionalProperties![ResponseProperties.Fallbacks]!);
    }

    [Fact]
    public async Task ConfiguredFallback_WithItsOwnMessages_SendsThem()
    {
        var seen = new List<string>();
        var config = LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml("""
            model_list:
              - model_name: primary
                litellm_params: { model: mock/primary }
              - model_name: c
                litellm_params: { model: mock/c }
            router_settings:
              num_retries: 0
              fallbacks:
                - primary:
                    - model: c
                      messages:
                        - role: user
                          content: "a shorter prompt"
            """);
        Assert.Empty(config.Errors);
        var options = config.ToRouterOptions();
        options.Deployments.Clear();
        options.Deployments.Add(D("primary", new ScriptedChatClient("primary") { OnCall = Throws(ServerError()) }));
        options.Deployments.Add(new Deployment { ModelGroup = "c", Model = "mock/c", Client = new RecordingClient("c", seen), Id = "c" });

        var response = await new LiteLlmRouter(options).GetResponseAsync("the long original prompt", new ChatOptions { ModelId = "primary" }, Ct);

        Assert.Equal("c", response.Text);
        Assert.Equal(["user: a shorter prompt"], seen);
    }

    [Theory]
    [InlineData("""[1]""", "fallbacks[0]")]
    [InlineData("""[{"model": 3}]""", "fallbacks[0].model")]
    [InlineData("""[{"model": "c", "temperature": 1}]""", "fallbacks[0].temperature")]
    [InlineData("""[{"model": "c", "messages": "hi"}]""", "fallbacks[0].messages")]
    [InlineData("""[{"model": "c", "messages": [{"role": "robot", "content": "x"}]}]""", "fallbacks[0].messages[0].role")]
    [InlineData("""[{"model": "c", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}]""", "fallbacks[0].messages[0].content")]
    [InlineData("""{"primary": 5}""", "fallbacks.primary")]
    [InlineData("""true""", "fallbacks")]
    public async Task MalformedFallbacks_AreABadRequestNamingThem(string json, string where)
    {
        var (router, primary, _, _) = Three();

        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(() => router.GetResponseAsync("hi", With(json), Ct));

        Assert.Equal("fallbacks", error.Parameter);
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.HttpStatus);
        Assert.Equal(0, primary.Calls); // refused before any call
    }

    [Fact]
    public async Task RequestContextWindowFallbacks_AreUsedForContextWindowErrorsOnly()
    {
        var (router, primary, b, c) = Three();
        primary.OnCall = Throws(new ContextWindowExceededException(new ProviderErrorDetails("mock", "m", 400, "too long")));
        var options = With("""[{"primary": ["c"]}]""", "context_window_fallbacks");
        options.AdditionalProperties!["fallbacks"] = JsonDocument.Parse("""["b"]""").RootElement.Clone();

        Assert.Equal("c", (await router.GetResponseAsync("hi", options, Ct)).Text);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task ContentPolicyFallbacks_FireOnContentPolicyErrors_AndOnlyOnThem()
    {
        var (router, primary, b, c) = Three(o =>
        {
            o.ContentPolicyFallbacks["primary"] = ["c"];
            o.Fallbacks["primary"] = ["b"];
        });

        primary.OnCall = Throws(ContentPolicy());
        Assert.Equal("c", (await router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct)).Text);
        Assert.Equal(0, b.Calls);

        primary.OnCall = Throws(ServerError()); // another error: the general fallbacks, not the content-policy ones
        Assert.Equal("b", (await router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct)).Text);
        Assert.Equal(1, c.Calls);
    }

    [Fact]
    public async Task ContentPolicyErrors_WithoutContentPolicyFallbacks_DoNotUseTheGeneralOnes()
    {
        var (router, primary, b, c) = Three(o => o.Fallbacks["primary"] = ["b"]);
        primary.OnCall = Throws(ContentPolicy());

        await Assert.ThrowsAsync<ContentPolicyViolationException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct));
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task DefaultFallbacks_FireOnGeneralErrors_AndNotOnContentPolicyOrBadRequests()
    {
        var (router, primary, b, c) = Three(o => o.DefaultFallbacks.Add("c"));

        Assert.Equal("c", (await router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct)).Text);

        primary.OnCall = Throws(ContentPolicy());
        await Assert.ThrowsAsync<ContentPolicyViolationException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct));
        primary.OnCall = Throws(new BadRequestException(new ProviderErrorDetails("mock", "m", 400, "bad")));
        await Assert.ThrowsAsync<BadRequestException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "primary" }, Ct));
        Assert.Equal(1, c.Calls);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task RequestContentPolicyFallbacks_ReplaceTheConfiguredOnes()
    {
        var (router, primary, b, c) = Three(o => o.ContentPolicyFallbacks["primary"] = ["b"]);
        primary.OnCall = Throws(ContentPolicy());

        Assert.Equal("c", (await router.GetResponseAsync("hi", With("""["c"]""", "content_policy_fallbacks"), Ct)).Text);
        Assert.Equal(0, b.Calls);
    }

    /// <summary>Records the messages it receives as "role: text" and answers with its name.</summary>
    private sealed class RecordingClient(string name, List<string> seen) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.AddRange(messages.Select(m => $"{m.Role}: {m.Text}"));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, name)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
