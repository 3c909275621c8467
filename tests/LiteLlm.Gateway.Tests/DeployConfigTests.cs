using LiteLlm.Configuration;

namespace LiteLlm.Gateway.Tests;

/// <summary>The config shipped in deploy/k8s/configmap.yaml loads without errors or warnings.</summary>
public sealed class DeployConfigTests
{
    [Fact]
    public void ConfigMapConfig_Loads()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "deploy", "k8s", "configmap.yaml")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var lines = File.ReadAllLines(Path.Combine(dir.FullName, "deploy", "k8s", "configmap.yaml"));
        var start = Array.FindIndex(lines, l => l.Trim() == "config.yaml: |") + 1;
        var yaml = string.Join('\n', lines[start..].Select(l => l.Length >= 4 ? l[4..] : string.Empty));

        var config = LiteLlmConfigLoader.ParseYaml(yaml, name => "sk-test-" + name);
        Assert.Empty(config.Errors);
        Assert.Empty(config.Warnings);
        Assert.Equal(["claude-3-5-haiku", "gpt-4o-mini", "mock", "text-embedding-3-small"], config.ModelList.Select(d => d.ModelGroup).Order(StringComparer.Ordinal));
        Assert.Equal(["claude-3-5-haiku"], config.ToRouterOptions().Fallbacks["gpt-4o-mini"]);
    }
}
