using System.Text.Json;
using LiteLlm.Cost;
using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Providers;
using LiteLlm.Routing;
using LiteLlm.Tests.Providers.OpenAI;
using LiteLlm.Tests.TestInfrastructure;

namespace LiteLlm.Tests.Routing;

/// <summary>Wildcard model groups, access groups and tag filtering through the router's public API.</summary>
public sealed class WildcardAccessTagTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Deployment D(string group, string name, IReadOnlyList<string>? tags = null, IReadOnlyList<string>? accessGroups = null)
        => new() { ModelGroup = group, Model = "mock/" + name, Client = new ScriptedChatClient(name), Id = name, Tags = tags ?? [], AccessGroups = accessGroups ?? [] };

    [Theory]
    [InlineData("openai/gpt-4o", "openai/gpt-4o")]                 // the exact name first
    [InlineData("openai/gpt-4o-mini", "openai/gpt-4o-*")]          // then the most specific pattern
    [InlineData("openai/o3-mini", "openai/*")]
    [InlineData("anthropic/claude-3-haiku-20240307", "anthropic/claude-*")]
    [InlineData("groq/llama-3.1-8b-instant", "*")]
    [InlineData("fast", "openai/gpt-4o")]                          // an alias of the exact group
    public async Task Wildcards_ExactNameFirst_ThenTheMostSpecificPattern(string requested, string group)
    {
        var router = new LiteLlmRouter(new RouterOptions
        {
            // Listed least specific first, so that "the first pattern that matches" would be wrong.
            Deployments = [D("*", "any"), D("openai/*", "openai-any"), D("anthropic/claude-*", "claude-any"), D("openai/gpt-4o-*", "gpt-4o-family"), D("openai/gpt-4o", "exact")],
            ModelGroupAlias = { ["fast"] = "openai/gpt-4o" },
        });

        var response = await router.GetResponseAsync("hi", new ChatOptions { ModelId = requested }, Ct);

        Assert.Equal(group, response.AdditionalProperties![ResponseProperties.ModelGroup]);
        Assert.True(router.HasModelGroup(requested));
    }

    [Fact]
    public async Task Wildcard_SendsTheRequestedModelToTheProvider_AndPricesItFromTheCatalog()
    {
        var upstream = new FakeUpstream();
        upstream.Json(OpenAIWire.Completion("one", prompt: 1000, completion: 500));
        upstream.Json(OpenAIWire.Completion("two"));
        var provider = new ProviderOptions { ApiBase = "http://upstream.test/v1", ApiKey = "sk-test-wildcard" };
        var factory = TestFactory.Create(upstream);
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments =
            [
                new Deployment { ModelGroup = "openai/*", Model = "openai/*", Provider = provider },
                new Deployment { ModelGroup = "team-a/*", Model = "openai/*", Provider = provider },
            ],
        }, factory);
        var client = new ChatClientBuilder(router).UseCostTracking(ModelCatalog.Default).Build();

        var response = await client.GetResponseAsync("hi", new ChatOptions { ModelId = "openai/gpt-4o-mini" }, Ct);
        Assert.Equal("gpt-4o-mini", upstream.LastRequest.Json.GetProperty("model").GetString());
        var price = ModelCatalog.Default.Find("gpt-4o-mini")!; // the recorded answer has 3 of the 1000 prompt tokens cached
        Assert.Equal((997 * price.InputCostPerToken!.Value) + (3 * price.CacheReadInputTokenCost!.Value) + (500 * price.OutputCostPerToken!.Value),
            (decimal)response.AdditionalProperties![ResponseProperties.Cost]!);

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "team-a/gpt-4o" }, Ct);
        Assert.Equal("gpt-4o", upstream.LastRequest.Json.GetProperty("model").GetString()); // team-a/* → openai/*: the matched part fills the *
    }

    [Fact]
    public async Task CatchAll_ServesAnyModelTheCatalogKnows_AndRefusesOneNobodyKnows()
    {
        var upstream = new FakeUpstream();
        upstream.Json(OpenAIWire.Completion("ok"));
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments = [new Deployment { ModelGroup = "*", Model = "*", Provider = new ProviderOptions { ApiBase = "http://upstream.test/v1", ApiKey = "sk-test" } }],
        }, TestFactory.Create(upstream));

        await router.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4o" }, Ct);
        Assert.Equal("gpt-4o", upstream.LastRequest.Json.GetProperty("model").GetString());

        var error = await Assert.ThrowsAsync<UnknownModelException>(() => router.GetResponseAsync("hi", new ChatOptions { ModelId = "nobody-knows-this" }, Ct));
        Assert.Equal("nobody-knows-this", error.RequestedModel);
    }

    [Fact]
    public void ListModels_ExpandsAProviderWildcard_LikeLiteLlm()
    {
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [D("openai/gpt-4o-*", "family"), D("mine", "mine"), D("*", "any")], ModelGroupAlias = { ["alias"] = "mine" } });

        var models = router.ListModels().ToList();

        Assert.Contains("mine", models);
        Assert.Contains("alias", models);
        Assert.Contains("*", models);
        Assert.Contains("openai/gpt-4o-mini", models);
        Assert.DoesNotContain("openai/gpt-4o-*", models);
        Assert.DoesNotContain(models, m => m.StartsWith("anthropic/", StringComparison.Ordinal));
    }

    [Fact]
    public void AccessGroups_AllowTheirGroups_AndOnlyThem()
    {
        var router = new LiteLlmRouter(new RouterOptions
        {
            Deployments = [D("gpt-4o", "a", accessGroups: ["beta-models"]), D("claude", "b", accessGroups: ["beta-models", "anthropic"]), D("private", "c"), D("openai/*", "d")],
        });

        Assert.Equal(["gpt-4o", "claude"], router.AccessGroups["beta-models"]);
        Assert.True(router.IsModelAllowed(["beta-models"], "gpt-4o"));
        Assert.True(router.IsModelAllowed(["beta-models"], "claude"));
        Assert.False(router.IsModelAllowed(["beta-models"], "private"));
        Assert.False(router.IsModelAllowed(["anthropic"], "gpt-4o"));
        Assert.True(router.IsModelAllowed([], "private")); // no list: everything
        Assert.True(router.IsModelAllowed(["all-proxy-models"], "private"));
        Assert.True(router.IsModelAllowed(["openai/*"], "openai/gpt-4o-mini")); // a wildcard in the key's list
        Assert.True(router.IsModelAllowed(["openai/*"], "openai/o3"));
        Assert.False(router.IsModelAllowed(["gpt-4o"], "openai/o3"));
    }

    [Fact]
    public async Task TagFiltering_RoutesByTheRequestsTags()
    {
        var free = new ScriptedChatClient("free");
        var paid = new ScriptedChatClient("paid");
        var fallback = new ScriptedChatClient("default");
        var router = new LiteLlmRouter(new RouterOptions
        {
            EnableTagFiltering = true,
            Deployments =
            [
                new Deployment { ModelGroup = "gpt-4", Model = "mock/free", Client = free, Id = "free", Tags = ["free"] },
                new Deployment { ModelGroup = "gpt-4", Model = "mock/paid", Client = paid, Id = "paid", Tags = ["paid", "teamB"] },
                new Deployment { ModelGroup = "gpt-4", Model = "mock/default", Client = fallback, Id = "default", Tags = ["default"] },
            ],
        });

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("free", (await router.GetResponseAsync("hi", Tagged(JsonDocument.Parse("""["free"]""").RootElement), Ct)).Text);
            Assert.Equal("paid", (await router.GetResponseAsync("hi", Tagged(new[] { "teamB" }), Ct)).Text);
            Assert.Equal("paid", (await router.GetResponseAsync("hi", InMetadata("paid"), Ct)).Text);
            Assert.Equal("default", (await router.GetResponseAsync("hi", new ChatOptions { ModelId = "gpt-4" }, Ct)).Text);
            Assert.Equal("default", (await router.GetResponseAsync("hi", Tagged(new[] { "unknown" }), Ct)).Text);
        }
    }

    [Fact]
    public async Task TagFiltering_WithoutAMatchOrADefault_IsABadRequest_AndUntaggedRequestsUseAll()
    {
        var router = new LiteLlmRouter(new RouterOptions { EnableTagFiltering = true, Deployments = [D("g", "a", tags: ["free"]), D("g", "b")] });

        var error = await Assert.ThrowsAsync<BadRequestException>(() => router.GetResponseAsync("hi", Tagged(new[] { "gold" }, "g"), Ct));
        Assert.Contains("gold", error.Message, StringComparison.Ordinal);
        var served = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            served.Add((await router.GetResponseAsync("hi", new ChatOptions { ModelId = "g" }, Ct)).Text);
        }

        Assert.Equal(["a", "b"], served.Order());
    }

    [Fact]
    public async Task Tags_AreIgnoredWithoutTagFiltering_AndNeverReachTheProvider()
    {
        var seen = new List<ChatOptions?>();
        var client = new ScriptedChatClient("a") { OnCall = (_, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "a"))) };
        var recording = new OptionsRecorder(client, seen);
        var router = new LiteLlmRouter(new RouterOptions { Deployments = [new Deployment { ModelGroup = "g", Model = "mock/a", Client = recording, Id = "a", Tags = ["free"] }] });

        var options = Tagged(new[] { "paid" }, "g");
        options.AdditionalProperties!["temperature_hint"] = "kept";
        await router.GetResponseAsync("hi", options, Ct);

        var forwarded = Assert.Single(seen);
        Assert.False(forwarded!.AdditionalProperties!.ContainsKey("tags"));
        Assert.True(forwarded.AdditionalProperties.ContainsKey("temperature_hint"));
        Assert.True(options.AdditionalProperties.ContainsKey("tags")); // the caller's options are not changed
    }

    [Fact]
    public async Task MalformedTags_AreABadRequestNamingThem()
    {
        var router = new LiteLlmRouter(new RouterOptions { EnableTagFiltering = true, Deployments = [D("g", "a")] });

        var error = await Assert.ThrowsAsync<UnsupportedParameterException>(() => router.GetResponseAsync("hi", Tagged(JsonDocument.Parse("""[1, 2]""").RootElement, "g"), Ct));
        Assert.Equal("tags", error.Parameter);
    }

    private static ChatOptions Tagged(object tags, string model = "gpt-4") => new() { ModelId = model, AdditionalProperties = new() { ["tags"] = tags } };

    private static ChatOptions InMetadata(string tag)
        => new() { ModelId = "gpt-4", AdditionalProperties = new() { ["metadata"] = new Dictionary<string, object?> { ["tags"] = new[] { tag }, ["user_id"] = "u1" } } };

    private sealed class OptionsRecorder(IChatClient inner, List<ChatOptions?> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            seen.Add(options);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
