using LiteLlm.Configuration;
using LiteLlm.Routing;

namespace LiteLlm.Tests.Configuration;

public sealed class LiteLlmConfigTests
{
    private const string FullConfig = """
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: azure/my-gpt4o
              api_base: os.environ/MY_AZURE_BASE
              api_key: os.environ/MY_AZURE_KEY
              api_version: "2024-10-21"
              rpm: 100
              tpm: 100000
              weight: 2
              order: 1
              timeout: 30
              max_parallel_requests: 8
              cooldown_time: 0
              stream_timeout: 4.5
              temperature: 0.2
              extra_headers:
                X-Team: search
            model_info:
              id: azure-eu-1
              max_input_tokens: 128000
          - model_name: gpt-4o
            litellm_params:
              model: openai/gpt-4o
              api_key: os.environ/OPENAI_KEY_FOR_TEST
              input_cost_per_token: 0.000002
              output_cost_per_token: 0.000008
          - model_name: claude
            litellm_params:
              model: anthropic/claude-3-5-sonnet-20240620
              api_key: sk-ant-literal
          - model_name: local
            litellm_params:
              model: mock/local
              mock_response: "hello from the mock"
          - model_name: bedrock-claude
            litellm_params:
              model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
              aws_region_name: us-east-1
              aws_access_key_id: os.environ/AWS_KEY_FOR_TEST
        router_settings:
          routing_strategy: least-busy
          num_retries: 3
          timeout: 45
          stream_timeout: 10
          allowed_fails: 2
          cooldown_time: 30
          enable_pre_call_checks: true
          max_fallbacks: 2
          fallbacks: [{"gpt-4o": ["claude"]}]
          context_window_fallbacks: [{"gpt-4o": ["claude"]}]
          content_policy_fallbacks: [{"claude": ["local"]}]
          default_fallbacks: ["local"]
          model_group_alias: {"gpt-4": "gpt-4o"}
          retry_policy:
            RateLimitErrorRetries: 5
            TimeoutErrorRetries: 1
            BadRequestErrorRetries: 0
        litellm_settings:
          drop_params: true
          request_timeout: 600
          cache: true
          cache_params:
            type: redis
            host: 127.0.0.1
            port: 6379
            ttl: 300
            namespace: team-a
          success_callback: ["langfuse"]
        general_settings:
          master_key: os.environ/MASTER_FOR_TEST
          database_url: postgresql://u:p@localhost/db
          allowed_ips: ["127.0.0.1"]
        environment_variables:
          MY_AZURE_BASE: https://eu.openai.azure.com
          MY_AZURE_KEY: azure-key-from-config
        """;

    private static readonly Dictionary<string, string> Env = new() { ["OPENAI_KEY_FOR_TEST"] = "sk-openai-env", ["MASTER_FOR_TEST"] = "sk-master", ["AWS_KEY_FOR_TEST"] = "AKIAEXAMPLE" };

    private static LiteLlmConfig Parse(string yaml) => LiteLlmConfigLoader.ParseYaml(yaml, n => Env.TryGetValue(n, out var v) ? v : null);

    [Fact]
    public void EverySupportedSection_RoundTripsIntoOptions()
    {
        var config = Parse(FullConfig);

        Assert.Empty(config.Errors);
        Assert.Equal(5, config.ModelList.Count);
        var azure = config.ModelList[0];
        Assert.Equal(("gpt-4o", "azure/my-gpt4o", "azure-eu-1"), (azure.ModelGroup, azure.Model, azure.Id));
        Assert.Equal("https://eu.openai.azure.com", azure.Provider!.ApiBase);    // os.environ/ from environment_variables
        Assert.Equal("azure-key-from-config", azure.Provider.ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(4.5), azure.StreamTimeout);          // a deployment's own stream_timeout
        Assert.Equal("2024-10-21", azure.Provider.ApiVersion);
        Assert.Equal((100, 100000, 2.0, 1, 8), (azure.Rpm, azure.Tpm, azure.Weight, azure.Order, azure.MaxParallelRequests));
        Assert.Equal(TimeSpan.FromSeconds(30), azure.Provider.Timeout);
        Assert.Equal(TimeSpan.Zero, azure.CooldownTime);
        Assert.Equal(128000, azure.MaxInputTokens);
        Assert.Equal("search", azure.Provider.Headers!["X-Team"]);
        var options = new ChatOptions();
        azure.ConfigureOptions!(options);
        Assert.Equal(0.2f, options.Temperature);
        Assert.Equal(true, azure.Provider.Settings!["drop_params"]);               // litellm_settings.drop_params

        Assert.Equal("sk-openai-env", config.ModelList[1].Provider!.ApiKey);      // os.environ/ from the process
        Assert.Equal(0.000002m, Assert.Single(config.ModelOverrides).InputCostPerToken);
        Assert.Equal("hello from the mock", config.ModelList[3].Provider!.Settings!["mock_response"]);
        Assert.Equal("AKIAEXAMPLE", config.ModelList[4].Provider!.Settings!["aws_access_key_id"]);

        var router = config.ToRouterOptions();
        Assert.Equal(RoutingStrategies.LeastBusy, router.RoutingStrategy);
        Assert.Equal(3, router.NumRetries);
        Assert.Equal(2, router.AllowedFails);
        Assert.Equal(TimeSpan.FromSeconds(30), router.CooldownTime);
        Assert.Equal(TimeSpan.FromSeconds(10), router.StreamTimeout);
        Assert.True(router.EnablePreCallChecks);
        Assert.Equal(2, router.MaxFallbacks);
        Assert.Equal(["claude"], router.Fallbacks["gpt-4o"]);
        Assert.Equal(["claude"], router.ContextWindowFallbacks["gpt-4o"]);
        Assert.Equal(["local"], router.ContentPolicyFallbacks["claude"]);
        Assert.Equal(["local"], router.DefaultFallbacks);
        Assert.Equal("gpt-4o", router.ModelGroupAlias["gpt-4"]);
        Assert.Equal(5, router.RetryPolicy.RateLimit);
        Assert.Equal(1, router.RetryPolicy.Timeout);

        Assert.True(config.Litellm.Cache);
        Assert.Equal(("redis", "127.0.0.1:6379", TimeSpan.FromSeconds(300), "team-a"),
            (config.Litellm.CacheParams!.Type, config.Litellm.CacheParams.RedisConfiguration, config.Litellm.CacheParams.Ttl!.Value, config.Litellm.CacheParams.Namespace));
        Assert.Equal(TimeSpan.FromSeconds(600), config.Litellm.RequestTimeout);
        Assert.Equal("sk-master", config.General.MasterKey);
        Assert.Equal("postgresql://u:p@localhost/db", config.General.DatabaseUrl);
        Assert.Equal(["127.0.0.1"], config.General.AllowedIps);

        // Things we do not do are said, never silently dropped.
        Assert.Contains(config.Warnings, w => w.Contains("langfuse", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.StartsWith("model_list[0].litellm_params.temperature", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownKeys_AreWarningsNamingThem()
    {
        var config = Parse("""
            model_list:
              - model_name: m
                litellm_params: {model: mock/m}
                surprise: 1
            router_settings:
              routing_strategy: simple-shuffle
              not_a_setting: true
            litellm_settings:
              mystery_flag: 3
            telemetry: {}
            """);

        Assert.Empty(config.Errors);
        Assert.Contains("model_list[0].surprise: unknown key, ignored.", config.Warnings);
        Assert.Contains("router_settings.not_a_setting: unknown key, ignored.", config.Warnings);
        Assert.Contains("litellm_settings.mystery_flag: unknown key, ignored.", config.Warnings);
        Assert.Contains("telemetry: unknown top-level section, ignored.", config.Warnings);
    }

    [Theory]
    [InlineData("model_list:\n  - model_name: m\n", "model_list[0]: needs model_name and litellm_params.model")]
    [InlineData("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m, rpm: lots}\n", "model_list[0].litellm_params.rpm: 'lots' is not a non-negative number.")]
    [InlineData("model_list: {}\n", "model_list: must be a list")]
    [InlineData("router_settings: {num_retries: 1}\n", "model_list: missing")]
    [InlineData("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\nrouter_settings:\n  fallbacks: nope\n", "router_settings.fallbacks: must be a list of mappings")]
    [InlineData("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\nrouter_settings:\n  enable_pre_call_checks: maybe\n", "router_settings.enable_pre_call_checks: 'maybe' is not true or false.")]
    public void Misconfiguration_IsAnErrorWithItsPath(string yaml, string expected)
    {
        var config = Parse(yaml);
        Assert.Contains(config.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void InvalidYaml_NamesTheLine()
    {
        var error = Assert.Throws<FormatException>(() => Parse("model_list:\n  - model_name: [unclosed\n"));
        Assert.Contains("line", error.Message, StringComparison.Ordinal);
    }
}
