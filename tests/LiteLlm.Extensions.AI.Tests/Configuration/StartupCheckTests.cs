using LiteLlm.Configuration;
using LiteLlm.Cost;
using LiteLlm.Errors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LiteLlm.Tests.Configuration;

/// <summary>AddLiteLlm stops a wrong configuration at start, with or without a host, naming the place.</summary>
public sealed class StartupCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("litellm-start-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string TwoGroups = """
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: hi}
          - model_name: backup
            litellm_params: {model: mock/backup, mock_response: hi}

        """;

    private static async Task<string> HostStartErrorAsync(Action<IServiceCollection> register)
    {
        var builder = Host.CreateApplicationBuilder();
        register(builder.Services);
        using var host = builder.Build();
        return (await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct))).Message;
    }

    private static string FirstResolveError(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IChatClient>()).Message;
    }

    [Fact]
    public async Task AnUnknownProvider_StopsTheHost_AndTheFirstResolve_NamingTheDeployment()
    {
        var file = Write("typo.yaml", TwoGroups.TrimEnd() + "\n  - model_name: gpt\n    litellm_params: {model: opnai/gpt-4o}\n");
        void Register(IServiceCollection s) => s.AddLiteLlm(file);

        foreach (var message in new[] { await HostStartErrorAsync(Register), FirstResolveError(Register) })
        {
            Assert.Contains("model_list[2] (model_name 'gpt'): ", message, StringComparison.Ordinal);
            Assert.Contains("Unknown provider 'opnai'", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("router_settings:\n  fallbacks: [{chat: [claude]}]\n", "router_settings.fallbacks[chat]: 'claude' (a fallback target) is not a model group. The model groups are: backup, chat.")]
    [InlineData("litellm_settings:\n  context_window_fallbacks: [{chat: [big]}]\n", "litellm_settings.context_window_fallbacks[chat]: 'big' (a fallback target) is not a model group.")]
    [InlineData("router_settings:\n  fallbacks: [{chta: [backup]}]\n", "router_settings.fallbacks[chta]: 'chta' (the group that falls back) is not a model group.")]
    [InlineData("router_settings:\n  default_fallbacks: [nope]\n", "router_settings.default_fallbacks: 'nope' (a default fallback) is not a model group.")]
    [InlineData("router_settings:\n  model_group_alias: {gpt-4: gpt4}\n", "router_settings.model_group_alias[gpt-4]: 'gpt4' is not a model group.")]
    public async Task AMissingGroup_InFallbacksOrAliases_StopsTheHost(string settings, string expected)
    {
        var file = Write("groups.yaml", TwoGroups + settings);

        Assert.Contains(expected, await HostStartErrorAsync(s => s.AddLiteLlm(file)), StringComparison.Ordinal);
        Assert.Contains(expected, FirstResolveError(s => s.AddLiteLlm(file)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidFallbacksAndAliases_Start()
    {
        var file = Write("ok.yaml", TwoGroups + "router_settings:\n  fallbacks: [{chat: [backup]}]\n  model_group_alias: {gpt-4: chat}\n");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLiteLlm(file);
        using var host = builder.Build();

        await host.StartAsync(Ct);
        Assert.Equal("hi", (await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4" }, Ct)).Text);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task AMissingConfigFile_IsNamedWithItsFullPath()
    {
        var missing = Path.Combine(_directory, "absent.yaml");
        var message = await HostStartErrorAsync(s => s.AddLiteLlm(missing));
        Assert.Contains($"The config file '{missing}' does not exist.", message, StringComparison.Ordinal);
        Assert.Contains($"The config file '{missing}' does not exist.", FirstResolveError(s => s.AddLiteLlm(missing)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARelativeConfigPath_IsReadFromTheContentRoot_NotTheWorkingDirectory()
    {
        Write("litellm.yaml", TwoGroups);
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "litellm.yaml")));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory });
        builder.Services.AddLiteLlm("litellm.yaml");
        using var host = builder.Build();

        await host.StartAsync(Ct);
        Assert.Equal("hi", (await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("x", new ChatOptions { ModelId = "chat" }, Ct)).Text);
        await host.StopAsync(Ct);
    }

    [Fact]
    public void UnknownKeys_InTheAppSettingsSection_AreLoggedWithTheirPath_Once()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LiteLlm:model_list:0:model_name"] = "chat",
            ["LiteLlm:model_list:0:litellm_params:model"] = "mock/chat",
            ["LiteLlm:router_settings:num_retrys"] = "3",
        }).Build().GetSection("LiteLlm");
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)));
        services.AddLiteLlm(section);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IChatClient>();
        provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var warning = Assert.Single(collector.GetSnapshot(), r => r.Message.Contains("num_retrys", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("LiteLlm config: LiteLlm: router_settings.num_retrys: unknown key, ignored.", warning.Message);
    }

    [Fact]
    public async Task ABudgetOverARouter_EstimatesWithTheGroupsDearestDeployment()
    {
        // Two deployments of one group; the estimate must assume the dearer, not $0 for the group name the catalog lacks.
        var file = Write("priced.yaml", """
            model_list:
              - model_name: chat
                litellm_params: {model: mock/cheap, input_cost_per_token: 0, output_cost_per_token: 0.001}
              - model_name: chat
                litellm_params: {model: mock/dear, input_cost_per_token: 0, output_cost_per_token: 0.01}
            """);
        var services = new ServiceCollection();
        services.AddLiteLlm(o =>
        {
            o.ConfigFile = file;
            o.Budgets.Add(new Budget("global", BudgetScope.Global, 0.05m));
        });
        using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<BudgetExceededException>(() => provider.GetRequiredService<IChatClient>()
            .GetResponseAsync("x", new ChatOptions { ModelId = "chat", MaxOutputTokens = 10 }, Ct));

        Assert.Equal(0.1m, error.Estimate); // 10 output tokens at the dearer $0.01
    }
}
