using LiteLlm.Configuration;
using LiteLlm.Routing;

namespace LiteLlm.Tests.Configuration;

/// <summary>router_settings and model_list entries that drive routing: providers, fallback forms, tags, access groups.</summary>
public sealed class RoutingConfigTests
{
    [Theory]
    [InlineData("opena/gpt-4o", "model_list[1] (model_name 'typo'): litellm_params.model: Unknown provider 'opena' in model 'opena/gpt-4o'.")]
    [InlineData("antrhopic/claude-*", "model_list[1] (model_name 'typo'): litellm_params.model: Unknown provider 'antrhopic' in model 'antrhopic/claude-*'.")]
    [InlineData("no-such-model-anywhere", "model_list[1] (model_name 'typo'): litellm_params.model: Unknown model 'no-such-model-anywhere'")]
    public void UnknownProvider_IsOneLineNamingTheEntryAndTheAcceptedPrefixes(string model, string expected)
    {
        var config = LiteLlmConfigLoader.ParseYaml($"""
            model_list:
              - model_name: fine
                litellm_params: {"{"} model: openai/gpt-4o {"}"}
              - model_name: typo
                litellm_params: {"{"} model: "{model}" {"}"}
            """);

        var error = Assert.Single(config.Errors);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("openai, ", error, StringComparison.Ordinal); // the accepted prefixes are listed
        Assert.Contains("text-completion-openai", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text-completion-openai/gpt-3.5-turbo-instruct", "openai")]
    [InlineData("custom_openai/my-model", "openai")]
    [InlineData("openai_like/my-model", "openai")]
    [InlineData("azure_text/my-deployment", "azure")]
    [InlineData("openai/*", null)]
    [InlineData("*", null)]
    public void LiteLlmsOpenAiCompatiblePrefixes_AndWildcards_AreAccepted(string model, string? provider)
    {
        var config = LiteLlmConfigLoader.ParseYaml($"""
            model_list:
              - model_name: m
                litellm_params: {"{"} model: "{model}" {"}"}
            """);

        Assert.Empty(config.Errors);
        if (provider is not null)
        {
            Assert.Equal(provider, LiteLlmClientFactory.Default.Resolve(model).Provider.Name);
        }
    }

    [Fact]
    public void FallbackForms_InRouterSettings_AreRead()
    {
        var config = LiteLlmConfigLoader.ParseYaml("""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
              - model_name: b
                litellm_params: { model: mock/b }
              - model_name: c
                litellm_params: { model: mock/c }
            router_settings:
              fallbacks:
                - a: [b]
                - b:
                    - model: c
                      messages: [{ role: user, content: "short" }]
              context_window_fallbacks: { a: [c] }
              content_policy_fallbacks: [c]
            """);

        Assert.Empty(config.Errors);
        var options = config.ToRouterOptions();
        Assert.Equal(["b"], options.Fallbacks["a"]);
        Assert.Equal(["c"], options.Fallbacks["b"]);
        Assert.Equal(["c"], options.ContextWindowFallbacks["a"]);
        Assert.Equal(["c"], options.ContentPolicyFallbacks["*"]); // a list of names: for every group
        Assert.Equal("short", Assert.Single(options.FallbackMessages["c"]).Text);
    }

    [Theory]
    [InlineData("fallbacks: [[b]]", "router_settings.fallbacks[0]:")]
    [InlineData("fallbacks: [{a: [{model: b, temperature: 1}]}]", "router_settings.fallbacks[0].a[0].temperature:")]
    [InlineData("fallbacks: [{a: [{model: b, messages: [{role: user}]}]}]", "router_settings.fallbacks[0].a[0].messages[0]: needs role and content.")]
    public void MalformedFallbacks_AreConfigErrorsWithTheirPath(string line, string expected)
    {
        var config = LiteLlmConfigLoader.ParseYaml("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nrouter_settings:\n  " + line + "\n");

        Assert.Contains(config.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void TagsAccessGroupsAndTagFiltering_AreRead()
    {
        var config = LiteLlmConfigLoader.ParseYaml("""
            model_list:
              - model_name: gpt-4
                litellm_params: { model: mock/free, tags: [free] }
                model_info: { access_groups: [beta-models, cheap] }
            router_settings:
              enable_tag_filtering: true
            """);

        Assert.Empty(config.Errors);
        Assert.Empty(config.Warnings);
        var deployment = Assert.Single(config.ModelList);
        Assert.Equal(["free"], deployment.Tags);
        Assert.Equal(["beta-models", "cheap"], deployment.AccessGroups);
        Assert.True(config.ToRouterOptions().EnableTagFiltering);
    }

    [Theory]
    [InlineData("hedge_after: 0.25", false, 0.25, null)]
    [InlineData("hedge_after: adaptive", true, null, null)]
    [InlineData("{hedge_after: adaptive, hedge_max_share: 0.1, hedge_percentile: 0.9}", true, null, 0.1)]
    public void Hedging_IsReadFromRouterSettings(string settings, bool adaptive, double? seconds, double? share)
    {
        var config = LiteLlmConfigLoader.ParseYaml("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nrouter_settings: " + (settings.StartsWith('{') ? settings : "{" + settings + "}") + "\n");

        Assert.Empty(config.Errors);
        var options = config.ToRouterOptions();
        Assert.Equal(adaptive, options.AdaptiveHedging);
        Assert.Equal(seconds, options.HedgeAfter?.TotalSeconds);
        Assert.Equal(share, options.MaxHedgedShare);
    }

    [Fact]
    public void HedgingFractions_OutOfRange_AreErrors()
    {
        var config = LiteLlmConfigLoader.ParseYaml("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nrouter_settings: {hedge_after: adaptive, hedge_max_share: 5}\n");

        Assert.Contains(config.Errors, e => e.Contains("hedge_max_share", StringComparison.Ordinal));
    }
}
