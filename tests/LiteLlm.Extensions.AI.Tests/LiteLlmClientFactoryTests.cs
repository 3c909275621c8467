using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Tests.Providers;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests;

public sealed class LiteLlmClientFactoryTests
{
    private readonly FakeUpstream _upstream = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void MissingKey_IsAClearAuthenticationErrorNamingTheVariable()
    {
        var error = Assert.Throws<AuthenticationException>(() => TestFactory.Create(_upstream).CreateChatClient("groq/llama-3.1-8b-instant"));
        Assert.Contains("GROQ_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.Equal("groq", error.Provider);
    }

    [Fact]
    public void MissingApiBase_IsAClearErrorNamingTheVariable()
    {
        var error = Assert.Throws<BadRequestException>(() => TestFactory.Create(_upstream, new Dictionary<string, string> { ["AZURE_API_KEY"] = "k-0123456789" }).CreateChatClient("azure/dep"));
        Assert.Contains("AZURE_API_BASE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clients_AreReusedPerProviderEndpointKeyAndModel()
    {
        var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-0123456789" });

        var a = factory.CreateChatClient("openai/gpt-4o-mini");
        var b = factory.CreateChatClient("gpt-4o-mini");
        var otherKey = factory.CreateChatClient("openai/gpt-4o-mini", new ProviderOptions { ApiKey = "sk-other-0123456789" });
        var otherModel = factory.CreateChatClient("openai/gpt-4o");

        Assert.Same(a, b);
        Assert.NotSame(a, otherKey);
        Assert.NotSame(a, otherModel);
        a.Dispose(); // owned by the factory: a caller's dispose must not break the shared client
        Assert.Same(a, factory.CreateChatClient("openai/gpt-4o-mini"));
    }

    [Fact]
    public async Task ExplicitOptions_OverrideTheEnvironment()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-env-0123456789", ["OPENAI_API_BASE"] = "https://env.example/v1" });

        await factory.CreateChatClient("openai/gpt-4o-mini", new ProviderOptions { ApiKey = "sk-arg-0123456789", ApiBase = "https://arg.example/v1/" })
            .GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("https://arg.example/v1/chat/completions", _upstream.LastRequest.Uri.ToString());
        Assert.Equal("Bearer sk-arg-0123456789", _upstream.LastRequest.Header("Authorization"));
    }

    [Fact]
    public async Task LiteLlmChatClient_RoutesEachCallByModelIdWithPerCallOverrides()
    {
        _upstream.Json(OpenAIWire.Completion("one")).Json(OpenAIWire.Completion("two"));
        var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-0123456789", ["GROQ_API_KEY"] = "gsk_0123456789" });
        var client = new LiteLlmChatClient("openai/gpt-4o-mini", factory: factory);

        await client.GetResponseAsync("hi", cancellationToken: Ct);
        Assert.StartsWith("https://api.openai.com/", _upstream.LastRequest.Uri.ToString(), StringComparison.Ordinal);

        var options = new ChatOptions
        {
            ModelId = "groq/llama-3.1-8b-instant",
            AdditionalProperties = new() { [CallSettings.ApiKey] = "gsk_per_call_0123456789", [CallSettings.Timeout] = 30 },
        };
        await client.GetResponseAsync("hi", options, Ct);
        Assert.StartsWith("https://api.groq.com/", _upstream.LastRequest.Uri.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer gsk_per_call_0123456789", _upstream.LastRequest.Header("Authorization"));
        Assert.False(_upstream.LastRequest.Json.TryGetProperty("api_key", out _));
        Assert.False(_upstream.LastRequest.Json.TryGetProperty("timeout", out _));
        Assert.NotNull(client.GetService<ChatClientMetadata>());
    }

    [Fact]
    public async Task PerCallTimeout_Applies()
    {
        _upstream.Hang();
        var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-0123456789" });
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.Timeout] = TimeSpan.FromMilliseconds(100) } };

        var error = await Assert.ThrowsAsync<ProviderTimeoutException>(() => factory.CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("hi", options, Ct));
        Assert.Contains("0.1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomProvider_WorksByModelString()
    {
        var registry = new ProviderRegistry();
        var custom = new CustomFactory();
        registry.RegisterCustom("my-llm", custom);
        var factory = TestFactory.Create(_upstream, providers: registry);

        var response = await factory.CreateChatClient("my-llm/v2").GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("from my-llm v2", response.Text);
        Assert.Equal(["v2"], custom.Created);
        Assert.Throws<NotSupportedException>(() => factory.CreateEmbeddingGenerator("my-llm/v2"));
    }

    [Fact]
    public async Task Llm_OneLineEntryPoints_WorkOfflineWithTheMock()
    {
        var response = await Llm.CompletionAsync("mock/demo", "Hello!", cancellationToken: Ct);
        Assert.Equal("Mock response to: Hello!", response.Text);
        Assert.True(response.Usage?.TotalTokenCount > 0);

        var streamed = "";
        await foreach (var update in Llm.StreamCompletionAsync("mock/demo", [new ChatMessage(ChatRole.User, "Hi there")], cancellationToken: Ct))
        {
            streamed += update.Text;
        }

        Assert.Equal("Mock response to: Hi there", streamed);

        var embeddings = await Llm.EmbeddingAsync("mock/embed", ["a", "b", "a"], cancellationToken: Ct);
        Assert.Equal(3, embeddings.Count);
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[2].Vector.ToArray());
        Assert.NotEqual(embeddings[0].Vector.ToArray(), embeddings[1].Vector.ToArray());
    }
}
