using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers;
using LiteLlm.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Tests.Conveniences;

/// <summary>Custom providers by model string, through the router, from DI; and catalog registration.</summary>
public sealed class CustomProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestChatClient Echo(string prefix, string model) => new()
    {
        GetResponseAsyncCallback = (messages, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{prefix} {model}: {messages.Last().Text}"))),
    };

    [Fact]
    public async Task ARegisteredProvider_ServesItsModelString_AndARouterDeployment()
    {
        var registry = new ProviderRegistry();
        var created = new List<string>();
        registry.RegisterCustom("my-llm", model =>
        {
            created.Add(model);
            return Echo("my-llm", model);
        });
        using var factory = TestFactory.Create(new FakeUpstream(), providers: registry);

        var direct = await factory.CreateChatClient("my-llm/x").GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("my-llm x: hi", direct.Text);
        Assert.Equal("my-llm", direct.AdditionalProperties?[ResponseProperties.Provider]);

        var router = new LiteLlmRouter(new RouterOptions { Deployments = [new Deployment { ModelGroup = "house-model", Model = "my-llm/x" }] }, factory);
        var routed = await router.GetResponseAsync("via router", new ChatOptions { ModelId = "house-model" }, Ct);

        Assert.Equal("my-llm x: via router", routed.Text);
        Assert.Equal("house-model", routed.AdditionalProperties?[ResponseProperties.ModelGroup]);
        Assert.Contains("x", created);
    }

    [Fact]
    public async Task ACustomProvider_GetsUnifiedErrors()
    {
        var registry = new ProviderRegistry();
        registry.RegisterCustom("flaky-llm", _ => new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("down", null, System.Net.HttpStatusCode.TooManyRequests)),
        });
        using var factory = TestFactory.Create(new FakeUpstream(), providers: registry);

        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => factory.CreateChatClient("flaky-llm/m").GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Equal("flaky-llm", error.Provider);
    }

    [Fact]
    public async Task Llm_RegisterProvider_MakesTheModelStringWork()
    {
        Llm.RegisterProvider("conveniences-llm", model => Echo("conv", model));

        var response = await Llm.CompletionAsync("conveniences-llm/tiny", "hello", cancellationToken: Ct);

        Assert.Equal("conv tiny: hello", response.Text);
        Assert.Contains("conveniences-llm", ProviderRegistry.Default.Names);
    }

    [Fact]
    public async Task DependencyInjection_RegistersTheProvider_OnTheContainersFactory()
    {
        var services = new ServiceCollection();
        services.AddSingleton("from-di");
        services.AddLiteLlmCustomProvider("di-llm", (sp, model) => Echo(sp.GetRequiredService<string>(), model));
        services.AddLiteLlmCustomProvider("di-llm-2", sp => new LiteLlm.Tests.Providers.CustomFactory());
        using var provider = services.BuildServiceProvider();

        var factory = provider.GetRequiredService<LiteLlmClientFactory>();
        var response = await factory.CreateChatClient("di-llm/m1").GetResponseAsync("hi", cancellationToken: Ct);
        var second = await factory.CreateChatClient("di-llm-2/m2").GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("from-di m1: hi", response.Text);
        Assert.Equal("from my-llm m2", second.Text);
        Assert.Same(provider.GetRequiredService<ProviderRegistry>(), factory.Providers);
        Assert.False(ProviderRegistry.Default.TryGet("di-llm", out _));
    }

    [Fact]
    public void Llm_RegisterModel_AddsToTheCatalog()
    {
        Llm.RegisterModel(new ModelInfo { Name = "conveniences-llm/priced", Provider = "conveniences-llm", InputCostPerToken = 0.000001m, OutputCostPerToken = 0.000002m, MaxInputTokens = 4096 });

        Assert.Equal(4096, ModelCatalog.Default.GetContextWindow("conveniences-llm/priced"));
        Assert.Equal((0.000001m, 0.000002m), ModelCatalog.Default.GetCostPerToken("conveniences-llm/priced"));
    }

    [Fact]
    public async Task ACustomProvider_CanDeclareItsSupportedParameters()
    {
        var registry = new ProviderRegistry();
        registry.Register(new ProviderDescriptor
        {
            Name = "narrow-llm",
            Protocol = ProviderProtocol.Custom,
            CustomFactory = new DelegateFactory(model => Echo("narrow", model)),
            DefaultApiBase = "http://localhost/",
            RequiresApiKey = false,
            SupportedParameters = new HashSet<string> { SupportedParameters.Temperature },
        });
        using var factory = TestFactory.Create(new FakeUpstream(), providers: registry);

        Assert.Equal(["temperature"], SupportedParameters.For("narrow-llm", registry));
        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(() => factory.CreateChatClient("narrow-llm/m").GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 5 }, Ct));
        Assert.Equal("max_tokens", error.Parameter);
        Assert.Equal("narrow-llm", error.Provider);
    }

    private sealed class DelegateFactory(Func<string, IChatClient> create) : ICustomProviderFactory
    {
        public IChatClient CreateChatClient(string model, ProviderEndpoint endpoint) => create(model);

        public IEmbeddingGenerator<string, Embedding<float>>? CreateEmbeddingGenerator(string model, ProviderEndpoint endpoint) => null;
    }
}
