using System.Net;
using System.Text.Json;
using LiteLlm.Gateway.Hosting;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests;

/// <summary>Routing through a real gateway: LiteLLM's request fallback forms, wildcards, access groups and tags.</summary>
[Collection("Gateway load")]
public sealed class RoutingGatewayTests
{
    private const string Master = "sk-master-routing-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string general = "") => $$"""
        model_list:
          - model_name: broken
            litellm_params: {model: mock/broken, mock_response: "litellm.ServiceUnavailableError"}
          - model_name: refuses
            litellm_params: {model: mock/refuses, mock_response: "litellm.ContentPolicyViolationError"}
          - model_name: echo
            litellm_params: {model: mock/echo}
            model_info: {access_groups: [beta-models]}
          - model_name: safe
            litellm_params: {model: mock/safe, mock_response: "the safe answer"}
            model_info: {access_groups: [beta-models]}
          - model_name: private
            litellm_params: {model: mock/private, mock_response: "private"}
          - model_name: "wild/*"
            litellm_params: {model: "mock/*"}
          - model_name: tiered
            litellm_params: {model: mock/free, mock_response: "free tier", tags: [free]}
          - model_name: tiered
            litellm_params: {model: mock/paid, mock_response: "paid tier", tags: [paid]}
          - model_name: tiered
            litellm_params: {model: mock/default, mock_response: "default tier", tags: [default]}
        router_settings:
          num_retries: 0
          enable_tag_filtering: true
          content_policy_fallbacks: [{refuses: [safe]}]
          default_fallbacks: [echo]
        {{general}}
        """;

    [Fact]
    public async Task RequestFallbacks_AsObjectsWithTheirOwnMessages_AreServed()
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """
            {"model":"broken","messages":[{"role":"user","content":"the original question"}],
             "fallbacks":[{"model":"echo","messages":[{"role":"user","content":"What is LiteLLM?"}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Mock response to: What is LiteLLM?", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("1", response.Headers.GetValues("x-litellm-attempted-fallbacks").Single());
    }

    [Theory]
    [InlineData("""["echo"]""")]
    [InlineData("""[{"broken":["echo"]}]""")]
    [InlineData("""{"broken":["echo"]}""")]
    public async Task RequestFallbacks_NamesAndMappings_AreServed(string fallbacks)
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", $$"""{"model":"broken","messages":[{"role":"user","content":"hi"}],"fallbacks":{{fallbacks}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Mock response to: hi", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("""[{"model":"echo","messages":"hi"}]""", "fallbacks[0].messages")]
    [InlineData("""[42]""", "fallbacks[0]")]
    [InlineData("""[{"model":"echo","max_tokens":5}]""", "fallbacks[0].max_tokens")]
    public async Task MalformedRequestFallbacks_AreA400NamingFallbacks(string fallbacks, string where)
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", $$"""{"model":"broken","messages":[{"role":"user","content":"hi"}],"fallbacks":{{fallbacks}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal("fallbacks", error.GetProperty("param").GetString());
        Assert.Contains(where, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentPolicyAndDefaultFallbacks_FireOnTheirErrorOnly()
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        var (refused, refusedBody) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"refuses","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal("the safe answer", refusedBody.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()); // content_policy_fallbacks, not default_fallbacks

        var (down, downBody) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"broken","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.Equal("Mock response to: hi", downBody.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()); // default_fallbacks
    }

    [Fact]
    public async Task Wildcard_ServesTheRequestedModel_AndModelsListsIt()
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"wild/anything-at-all","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("wild/*", response.Headers.GetValues("x-litellm-model-group").Single());

        var (notFound, _) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"tame/anything","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        var models = await host.Http.GetFromJsonAsync<JsonElement>("/v1/models", Ct);
        var ids = models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("wild/*", ids); // the catalog knows no mock models to expand it to
        Assert.Contains("echo", ids);
    }

    [Fact]
    public async Task Tags_RouteToTheTaggedDeployment()
    {
        await using var host = await GatewayHost.StartAsync(yaml: Yaml());

        async Task<string?> Ask(string extra)
        {
            var (response, body) = await host.PostJsonAsync("/v1/chat/completions", $$"""{"model":"tiered","messages":[{"role":"user","content":"hi"}]{{extra}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        }

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("free tier", await Ask(""","tags":["free"]"""));
            Assert.Equal("paid tier", await Ask(""","metadata":{"tags":["paid"]}"""));
            Assert.Equal("default tier", await Ask(""));
        }
    }

    [Fact]
    public async Task AccessGroups_InAKeysModels_AllowTheirGroups_AndRefuseOthers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gw-routing-{Guid.NewGuid():N}.db");
        try
        {
            await using var host = await GatewayHost.StartAsync(yaml: Yaml($"general_settings:\n  master_key: {Master}\n  sqlite_path: {path}"));
            var key = await GenerateKeyAsync(host.Http, Master, """{"models":["beta-models","wild/*"]}""");

            Assert.Equal(HttpStatusCode.OK, (await Chat(host.Http, key, "echo")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Chat(host.Http, key, "safe")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Chat(host.Http, key, "wild/some-model")).StatusCode);
            using var refused = await Chat(host.Http, key, "private");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("model", (await Json(refused)).GetProperty("error").GetProperty("param").GetString());

            using var listing = await Send(host.Http, HttpMethod.Get, "/v1/models", key, null);
            var ids = (await Json(listing)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
            Assert.Equal(["echo", "safe", "wild/*"], ids.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public void UnknownProviderInTheConfig_StopsTheStartWithOneLine()
    {
        var file = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            model_list:
              - model_name: ok
                litellm_params: {model: "text-completion-openai/gpt-3.5-turbo-instruct", api_key: sk-x}
              - model_name: typo
                litellm_params: {model: opeani/gpt-4o}
            """);
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => GatewayPipeline.LoadConfig(new GatewayOptions { ConfigFile = file }));
            var line = Assert.Single(error.Message.Split('\n'), l => l.Contains("model_list", StringComparison.Ordinal));
            Assert.Contains("model_list[1] (model_name 'typo')", line, StringComparison.Ordinal);
            Assert.Contains("Unknown provider 'opeani'", line, StringComparison.Ordinal);
            Assert.Contains("text-completion-openai", line, StringComparison.Ordinal);
            Assert.DoesNotContain("model_list[0]", error.Message, StringComparison.Ordinal); // LiteLLM's OpenAI-compatible prefix is accepted
        }
        finally
        {
            File.Delete(file);
        }
    }
}
