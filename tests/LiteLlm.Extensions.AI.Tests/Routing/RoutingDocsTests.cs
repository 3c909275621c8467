using System.Text.RegularExpressions;
using LiteLlm.Configuration;
using LiteLlm.Routing;

namespace LiteLlm.Tests.Routing;

/// <summary>The config example of docs/routing.md loads and means what the page says.</summary>
public sealed partial class RoutingDocsTests
{
    [Fact]
    public void TheExampleConfig_LoadsAndBuildsARouter()
    {
        var config = LiteLlmConfigLoader.ParseYaml(Example(), name => name.EndsWith("_BASE", StringComparison.Ordinal) ? "https://example.invalid/" : "sk-docs");

        Assert.Empty(config.Errors);
        Assert.Empty(config.Warnings);
        var options = config.ToRouterOptions();
        Assert.Equal(RoutingStrategies.LatencyBased, options.RoutingStrategy);
        Assert.True(options.EnableTagFiltering);
        Assert.True(options.AdaptiveHedging);
        Assert.Equal(0.05, options.MaxHedgedShare);
        Assert.Equal(["claude"], options.Fallbacks["gpt-4o"]);
        Assert.Equal("Answer in one sentence.", Assert.Single(options.FallbackMessages["small"]).Text);
        Assert.Equal(["small"], options.DefaultFallbacks);
        Assert.True(config.Router.BudgetAwareMaxTokens);
        Assert.Equal(256, config.Router.BudgetAwareMinTokens);

        var router = new LiteLlmRouter(options);
        Assert.Equal(["claude", "gpt-4o"], router.AccessGroups["premium"].Order(StringComparer.Ordinal));
        Assert.True(router.IsModelAllowed(["premium"], "claude"));
        Assert.False(router.IsModelAllowed(["premium"], "small"));
        Assert.True(router.HasModelGroup("openai/o3-mini"));
        Assert.True(router.HasModelGroup("anthropic/claude-3-haiku-20240307"));
        Assert.Equal("anthropic/claude-*", router.DeploymentsOf("anthropic/claude-3-haiku-20240307")[0].Deployment.ModelGroup);
        Assert.Equal("*", router.DeploymentsOf("gemini/gemini-1.5-flash")[0].Deployment.ModelGroup);
    }

    private static string Example()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docs", "routing.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var page = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "routing.md"));
        return ExampleBlock().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("docs/routing.md has no routing-example block.");
    }

    [GeneratedRegex("<!-- routing-example -->\\s*```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}
