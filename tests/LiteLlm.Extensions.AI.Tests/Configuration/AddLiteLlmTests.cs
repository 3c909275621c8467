using LiteLlm.Configuration;
using LiteLlm.Tests.Providers.OpenAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LiteLlm.Tests.Configuration;

public sealed class AddLiteLlmTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IConfiguration Section(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("LiteLlm");

    [Fact]
    public async Task APriceInTheConfig_ChangesThePriceOnly_TheCatalogsModeAndLimitsStay()
    {
        var services = new ServiceCollection();
        services.AddLiteLlm(Section(new()
        {
            ["LiteLlm:model_list:0:model_name"] = "deep",
            ["LiteLlm:model_list:0:litellm_params:model"] = "openai/o3-pro",
            ["LiteLlm:model_list:0:litellm_params:input_cost_per_token"] = "0.001",
        }));
        await using var provider = services.BuildServiceProvider();

        var known = new LiteLlm.Models.ModelCatalog().Lookup("openai/o3-pro")!;
        var priced = provider.GetRequiredService<LiteLlmRuntime>().Catalog.Lookup("openai/o3-pro")!;
        Assert.Equal(0.001m, priced.InputCostPerToken);
        Assert.Equal(known.OutputCostPerToken, priced.OutputCostPerToken);   // not set in the config: the catalog's
        Assert.Equal("responses", known.Mode);
        Assert.Equal(known.Mode, priced.Mode);                               // o3-pro stays on the Responses API
        Assert.Equal(known.MaxInputTokens, priced.MaxInputTokens);
    }

    [Fact]
    public async Task FromAppSettings_RegistersThePipelineKeyedClientsAndEmbeddings()
    {
        var services = new ServiceCollection();
        services.AddLiteLlm(Section(new()
        {
            ["LiteLlm:model_list:0:model_name"] = "chat",
            ["LiteLlm:model_list:0:litellm_params:model"] = "mock/chat",
            ["LiteLlm:model_list:0:litellm_params:mock_response"] = "hi from chat",
            ["LiteLlm:model_list:1:model_name"] = "other",
            ["LiteLlm:model_list:1:litellm_params:model"] = "mock/other",
            ["LiteLlm:model_list:1:litellm_params:mock_response"] = "hi from other",
        })).UseFunctionInvocation();
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("x", new ChatOptions { ModelId = "chat" }, Ct);
        Assert.Equal("hi from chat", response.Text);
        Assert.Equal("mock", response.AdditionalProperties![ResponseProperties.Provider]);
        Assert.Equal("chat", response.AdditionalProperties[ResponseProperties.ModelGroup]);     // through the router
        Assert.NotNull(client.GetService<LiteLlm.Cost.CostTrackingChatClient>());              // cost tracking is in the default pipeline
        Assert.Equal("hi from other", (await provider.GetRequiredKeyedService<IChatClient>("other").GetResponseAsync("x", cancellationToken: Ct)).Text);
        Assert.NotNull(client.GetService<ChatClientMetadata>());                           // Semantic Kernel needs it
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());                   // the user's middleware wraps ours
        var embeddings = await provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "chat" }, Ct);
        Assert.Single(embeddings);
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "OPENAI_API_KEY", "https://api.openai.com/v1/chat/completions")]
    [InlineData("anthropic/claude-3-5-haiku-20241022", "ANTHROPIC_API_KEY", "https://api.anthropic.com/v1/messages")]
    [InlineData("ollama/llama3.2", null, "http://localhost:11434/api/chat")]
    public async Task SwappingProviders_IsAConfigurationChangeOnly(string model, string? keyVariable, string expectedUrl)
    {
        // The same application code; only the "model" line of the configuration differs.
        var upstream = new FakeUpstream { Fallback = (r, _) => Task.FromResult(AnswerFor(r)) };
        var values = new Dictionary<string, string?>
        {
            ["LiteLlm:model_list:0:model_name"] = "assistant",
            ["LiteLlm:model_list:0:litellm_params:model"] = model,
        };
        if (keyVariable is not null)
        {
            values["LiteLlm:model_list:0:litellm_params:api_key"] = "key-for-" + keyVariable;
        }

        var services = new ServiceCollection();
        services.AddLiteLlm(o => { o.Configuration = Section(values); o.HttpMessageHandler = upstream; });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("Hello", new ChatOptions { ModelId = "assistant" }, Ct);

        Assert.Equal(expectedUrl, upstream.LastRequest.Uri.ToString());
        Assert.Equal("Hello there!", response.Text);
    }

    [Fact]
    public async Task Misconfiguration_FailsAtStartWithThePath()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLiteLlm(Section(new()
        {
            ["LiteLlm:model_list:0:model_name"] = "chat",
            ["LiteLlm:model_list:0:litellm_params:model"] = "mock/chat",
            ["LiteLlm:model_list:0:litellm_params:rpm"] = "lots",
            ["LiteLlm:model_list:1:model_name"] = "broken",
        }));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("model_list[1]: needs model_name and litellm_params.model", error.Message, StringComparison.Ordinal);
        Assert.Contains("model_list[0].litellm_params.rpm: 'lots' is not a non-negative number.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelListChanges_ReloadWithoutRestart()
    {
        var file = Path.Combine(Path.GetTempPath(), $"litellm-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "model_list:\n  - model_name: chat\n    litellm_params: {model: mock/a, mock_response: before}\n", Ct);
        try
        {
            var services = new ServiceCollection();
            services.AddLiteLlm(file);
            await using var provider = services.BuildServiceProvider();
            var client = provider.GetRequiredService<IChatClient>();
            Assert.Equal("before", (await client.GetResponseAsync("x", new ChatOptions { ModelId = "chat" }, Ct)).Text);

            var reloaded = new TaskCompletionSource();
            provider.GetRequiredService<LiteLlmRuntime>().Reloaded += (_, _) => reloaded.TrySetResult();
            await File.WriteAllTextAsync(file, "model_list:\n  - model_name: chat\n    litellm_params: {model: mock/b, mock_response: after}\n  - model_name: new\n    litellm_params: {model: mock/c, mock_response: added}\n", Ct);
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.Equal("after", (await client.GetResponseAsync("x", new ChatOptions { ModelId = "chat" }, Ct)).Text);
            Assert.Equal("added", (await client.GetResponseAsync("x", new ChatOptions { ModelId = "new" }, Ct)).Text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HttpResponseMessage AnswerFor(RecordedRequest request) => request.Uri.AbsolutePath switch
    {
        "/v1/messages" => FakeUpstream.Response(System.Net.HttpStatusCode.OK, """{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[{"type":"text","text":"Hello there!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":3}}""", "application/json"),
        "/api/chat" => FakeUpstream.Response(System.Net.HttpStatusCode.OK, """{"model":"llama3.2","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"Hello there!"},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":3}""", "application/json"),
        _ => FakeUpstream.Response(System.Net.HttpStatusCode.OK, OpenAIWire.Completion("Hello there!"), "application/json"),
    };
}
