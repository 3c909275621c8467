using LiteLlm.Configuration;
using YamlDotNet.RepresentationModel;

namespace LiteLlm.Gateway.Tests;

/// <summary>
/// The manifests in deploy/k8s are safe as shipped: the config loads without errors or warnings, keys are required (the
/// master key comes from the Secret the pods read), and with more than one replica the replicas share one database and
/// one Redis that the manifests provide.
/// </summary>
public sealed class DeployConfigTests
{
    private static readonly string K8s = Path.Combine(RepoRoot(), "deploy", "k8s");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "deploy", "k8s", "configmap.yaml")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    /// <summary>Every document of every manifest, by kind and name.</summary>
    private static Dictionary<(string Kind, string Name), YamlMappingNode> Manifests()
    {
        var result = new Dictionary<(string, string), YamlMappingNode>();
        foreach (var file in Directory.GetFiles(K8s, "*.yaml"))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                var root = (YamlMappingNode)document.RootNode;
                result[(Scalar(root, "kind"), Scalar((YamlMappingNode)root["metadata"], "name"))] = root;
            }
        }

        return result;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static YamlMappingNode Map(YamlNode node, params string[] path)
        => path.Aggregate((YamlMappingNode)node, (n, key) => (YamlMappingNode)n[key]);

    private static LiteLlmConfig ShippedConfig(Func<string, string?> environment)
    {
        var configMap = Manifests()[("ConfigMap", "litellm-gateway-config")];
        return LiteLlmConfigLoader.ParseYaml(Scalar(Map(configMap, "data"), "config.yaml"), environment);
    }

    [Fact]
    public void ConfigMapConfig_Loads()
    {
        var config = ShippedConfig(name => "sk-test-" + name);
        Assert.Empty(config.Errors);
        Assert.Empty(config.Warnings);
        Assert.Equal(["claude-3-5-haiku", "gpt-4o-mini", "mock", "text-embedding-3-small"], config.ModelList.Select(d => d.ModelGroup).Order(StringComparer.Ordinal));
        Assert.Equal(["claude-3-5-haiku"], config.ToRouterOptions().Fallbacks["gpt-4o-mini"]);
    }

    [Fact]
    public void TheMasterKey_ComesFromTheSecretThePodsRead()
    {
        var manifests = Manifests();
        var pod = Map(manifests[("Deployment", "litellm-gateway")], "spec", "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children[0];
        var secretNames = ((YamlSequenceNode)container["envFrom"]).Children.Select(e => Scalar(Map(e, "secretRef"), "name")).ToList();
        var secretKeys = secretNames.SelectMany(n => Map(manifests[("Secret", n)], "stringData").Children.Keys.Select(k => ((YamlScalarNode)k).Value!)).ToHashSet();

        // The config names a variable, the Secret defines it, and so the gateway starts with keys required.
        var config = ShippedConfig(name => secretKeys.Contains(name) ? "from-secret:" + name : null);
        Assert.Equal("from-secret:LITELLM_MASTER_KEY", config.General.MasterKey);
        Assert.Equal("from-secret:DATABASE_URL", config.General.DatabaseUrl);
    }

    [Fact]
    public void MoreThanOneReplica_SharesRedisThatTheManifestsRun()
    {
        var manifests = Manifests();
        var replicas = int.Parse(Scalar(Map(manifests[("Deployment", "litellm-gateway")], "spec"), "replicas"), System.Globalization.CultureInfo.InvariantCulture);
        var minReplicas = int.Parse(Scalar(Map(manifests[("HorizontalPodAutoscaler", "litellm-gateway")], "spec"), "minReplicas"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(replicas > 1 && minReplicas > 1, "the shipped manifests run several replicas; this test guards what that needs");

        var config = ShippedConfig(name => "value-of-" + name);
        Assert.NotNull(config.Router.RedisConfiguration);  // limits, budgets and cooldowns are shared
        Assert.NotNull(config.General.DatabaseUrl);         // keys and spend live in one database, not a SQLite file per pod
        var redisHost = config.Router.RedisConfiguration!.Split(',')[0].Split(':')[0];
        var service = manifests[("Service", redisHost)];
        var selector = Map(service, "spec", "selector").Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!);
        var redis = manifests.Single(m => m.Key.Kind == "Deployment" && selector.All(s => Map(m.Value, "spec", "template", "metadata", "labels").Children
            .Any(l => ((YamlScalarNode)l.Key).Value == s.Key && ((YamlScalarNode)l.Value).Value == s.Value)));
        Assert.Contains("redis", Scalar((YamlMappingNode)((YamlSequenceNode)Map(redis.Value, "spec", "template", "spec")["containers"]).Children[0], "image"), StringComparison.Ordinal);
    }
}
