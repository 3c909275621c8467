using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using LiteLlm.Gateway.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LiteLlm.Gateway.Tests;

/// <summary>What an operator sees: the start banner, the open-gateway warning, LiteLLM's metric names, OTLP export.</summary>
public sealed class FrontDoorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string[]> BannerLogsAsync(Action<GatewayOptions>? configure = null, string yaml = GatewayHost.Yaml)
    {
        var logs = new CapturingLoggerProvider();
        await using (await GatewayHost.StartAsync(configure, s => s.AddSingleton<ILoggerProvider>(logs), yaml))
        {
        }

        return [.. logs.Lines.Where(l => l.Contains("GatewayBanner", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task TheBanner_NamesTheUrlModelsDatabaseCacheAndAuth_WithoutSecrets()
    {
        var db = Path.Combine(Path.GetTempPath(), $"gw-banner-{Guid.NewGuid():N}.db");
        var yaml = GatewayHost.Yaml + "\n" + $$"""
            general_settings: {master_key: sk-banner-master-secret, sqlite_path: "{{db}}"}
            litellm_settings: {cache: true}
            """;
        try
        {
            var banner = Assert.Single(await BannerLogsAsync(yaml: yaml));

            Assert.StartsWith("Information LiteLlm.Gateway.Hosting.GatewayBanner: LiteLlm gateway listening on http://127.0.0.1:", banner, StringComparison.Ordinal);
            Assert.Contains("models (5): gpt-4o-mini → mock/gpt-4o-mini, mock → mock/mock, priced → mock/priced, text-embedding-3-small → mock/text-embedding-3-small, weather → mock/weather", banner, StringComparison.Ordinal);
            Assert.Contains("auth: on (master key and virtual keys required)", banner, StringComparison.Ordinal);
            Assert.Contains("database: SQLite " + db, banner, StringComparison.Ordinal);
            Assert.Contains("cache: in memory", banner, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-banner-master-secret", banner, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(db);
        }
    }

    [Fact]
    public void TheBanner_ReducesDatabaseAndRedisSettingsToWhere()
    {
        var config = LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml("""
            model_list:
              - {model_name: a, litellm_params: {model: mock/a}}
            general_settings: {master_key: sk-m, database_url: "postgresql://admin:pg-secret@db.internal:5433/spend"}
            router_settings: {redis_host: redis.internal, redis_port: 6380, redis_password: redis-secret}
            """);

        var banner = GatewayBanner.Describe(new GatewayOptions(), config, ["http://0.0.0.0:4000"], new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["mock/a"] });

        Assert.Contains("database: PostgreSQL db.internal:5433/spend", banner, StringComparison.Ordinal);
        Assert.Contains("shared state (limits, budgets, cooldowns): Redis redis.internal:6380", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", banner, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("0.0.0.0", true)]
    public async Task WithoutAMasterKey_OnANonLoopbackAddress_StartWarns(string host, bool warns)
    {
        var logs = await BannerLogsAsync(o => o.Host = host);

        Assert.Equal(warns, logs.Any(l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("serves without a master key", StringComparison.Ordinal)));
        Assert.Contains(logs, l => l.Contains("auth: OFF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeploymentState_FollowsTheRoutersCooldowns_AndApiLatencyIsCounted()
    {
        // "pair": the first tier rate-limits (cooled down at once), the second answers; "solo": its only deployment
        // fails with a 500 (a lone deployment is never cooled down, so it is a partial outage).
        var yaml = GatewayHost.Yaml.Replace("router_settings:\n  num_retries: 0", """
              - model_name: pair
                litellm_params: {model: mock/limited, mock_response: litellm.RateLimitError, order: 1}
                model_info: {id: pair-limited}
              - model_name: pair
                litellm_params: {model: mock/fine, mock_response: "fine", order: 2}
                model_info: {id: pair-fine}
              - model_name: solo
                litellm_params: {model: mock/broken, mock_response: litellm.InternalServerError}
                model_info: {id: solo-broken}
            router_settings:
              num_retries: 1
            """, StringComparison.Ordinal);
        await using var host = await GatewayHost.StartAsync(yaml: yaml);
        string State(string[] lines, string id)
            => Assert.Single(lines, l => l.StartsWith("litellm_deployment_state{", StringComparison.Ordinal) && l.Contains($"model_id=\"{id}\"", StringComparison.Ordinal)).Split(' ')[^1];

        var before = (await host.Http.GetStringAsync("/metrics", Ct)).Split('\n');
        Assert.Equal(("0", "0", "0"), (State(before, "pair-limited"), State(before, "pair-fine"), State(before, "solo-broken")));
        Assert.Contains("# TYPE litellm_deployment_state gauge", before);

        var (ok, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"pair","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal("fine", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var (failed, _) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"solo","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(500, (int)failed.StatusCode);

        var lines = (await host.Http.GetStringAsync("/metrics", Ct)).Split('\n');
        Assert.Contains("litellm_deployment_state{api_base=\"\",api_provider=\"mock\",litellm_model_name=\"mock/limited\",model_id=\"pair-limited\"} 2", lines);
        Assert.Equal(("0", "1"), (State(lines, "pair-fine"), State(lines, "solo-broken")));

        // A scrape reports the level, not a sum of scrapes.
        Assert.Equal("2", State((await host.Http.GetStringAsync("/metrics", Ct)).Split('\n'), "pair-limited"));
        Assert.Contains(lines, l => l.StartsWith("litellm_llm_api_latency_metric_count{", StringComparison.Ordinal) && l.Contains("requested_model=\"pair\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_CarryLiteLlmsNamesAndLabels_BesideOurs()
    {
        await using var host = await GatewayHost.StartAsync();
        decimal cost = 0;
        long tokens = 0;
        for (var i = 0; i < 2; i++)
        {
            var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"priced","messages":[{"role":"user","content":"Hello there"}]}""");
            cost += decimal.Parse(response.Headers.GetValues("x-litellm-response-cost").Single(), CultureInfo.InvariantCulture);
            tokens += body.GetProperty("usage").GetProperty("total_tokens").GetInt64();
        }

        var (failed, _) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"priced","mock_response":"litellm.RateLimitError","messages":[{"role":"user","content":"x"}]}""");
        Assert.Equal(429, (int)failed.StatusCode);

        var lines = (await host.Http.GetStringAsync("/metrics", Ct)).Split('\n');
        const string Who = "api_key_alias=\"\",end_user=\"\",hashed_api_key=\"\"";
        Assert.Contains($"litellm_requests_metric_total{{{Who},model=\"priced\",team=\"\",team_alias=\"\",user=\"\"}} 2", lines);
        Assert.Contains($"litellm_total_tokens_total{{{Who},model=\"priced\",team=\"\",team_alias=\"\",user=\"\"}} {tokens}", lines);
        var spend = Assert.Single(lines, l => l.StartsWith("litellm_spend_metric_total{", StringComparison.Ordinal));
        Assert.Equal((double)cost, double.Parse(spend[(spend.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), 12);
        Assert.Contains($"litellm_request_total_latency_metric_count{{{Who},model=\"priced\",requested_model=\"priced\",team=\"\",team_alias=\"\",user=\"\"}} 2", lines);
        Assert.Contains(lines, l => l.StartsWith("litellm_request_total_latency_metric_bucket{", StringComparison.Ordinal) && l.Contains("le=\"0.005\"", StringComparison.Ordinal));
        Assert.Contains($"litellm_proxy_total_requests_metric_total{{{Who},requested_model=\"priced\",status_code=\"200\",team=\"\",team_alias=\"\",user=\"\"}} 2", lines);
        Assert.Contains($"litellm_proxy_failed_requests_metric_total{{api_key_alias=\"\",end_user=\"\",exception_class=\"RateLimit\",hashed_api_key=\"\",requested_model=\"priced\",team=\"\",team_alias=\"\",user=\"\"}} 1", lines);
        Assert.Contains(lines, l => l.StartsWith("litellm_gateway_requests_total{", StringComparison.Ordinal)); // ours, unchanged
    }

    [Fact]
    public async Task WithAnOtlpEndpoint_TracesAndMetricsAreExported()
    {
        var received = new ConcurrentDictionary<string, byte[]>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            received.AddOrUpdate(signal, buffer.ToArray(), (_, old) => [.. old, .. buffer.ToArray()]);
            return Results.Ok();
        });
        await collector.StartAsync(Ct);
        var endpoint = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "gateway-under-test",
        };

        await using (var host = await GatewayHost.StartAsync(services: s => s.AddGatewayOpenTelemetry(n => environment.GetValueOrDefault(n))))
        {
            var (response, _) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""");
            Assert.Equal(200, (int)response.StatusCode);
        } // disposing the host flushes both exporters

        var traces = Encoding.UTF8.GetString(Assert.Contains("traces", received));
        var metrics = Encoding.UTF8.GetString(Assert.Contains("metrics", received));
        Assert.Contains("gateway-under-test", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.request.model", traces, StringComparison.Ordinal);   // MEAI's GenAI semantic-convention span
        Assert.Contains("gpt-4o-mini", traces, StringComparison.Ordinal);
        Assert.Contains("gen_ai.client.token.usage", metrics, StringComparison.Ordinal);
        Assert.Contains("litellm.gateway.requests", metrics, StringComparison.Ordinal);
    }
}
