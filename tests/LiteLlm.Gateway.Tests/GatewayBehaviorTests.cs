using System.Net;
using System.Text.Json;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Tests;

/// <summary>The gate and spend seams, Anthropic messages, streaming behaviour, health, metrics and limits.</summary>
[Collection("Gateway load")]
public sealed class GatewayBehaviorTests
{
    private const string Hi = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Action<HttpRequestMessage> Bearer(string key) => r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);

    [Fact]
    public async Task Gate_RefusesWith401_AndAdmitsAndReleasesOnce()
    {
        var gate = new KeyGate();
        await using var host = await GatewayHost.StartAsync(services: s => s.AddSingleton<IRequestGate>(gate));

        var (denied, error) = await host.PostJsonAsync("/v1/chat/completions", Hi, Bearer("sk-bad"));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, gate.Admitted);

        var (ok, _) = await host.PostJsonAsync("/v1/chat/completions", Hi, Bearer("sk-good"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, gate.Admitted);

        // The lease is released once the call is recorded, which may be just after the client has read the response.
        for (var i = 0; i < 500 && Volatile.Read(ref gate.Released) == 0; i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal(1, gate.Released);

        var (models, _) = await host.PostJsonAsync("/v1/chat/completions", Hi, Bearer("sk-bad"));
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task Gate_RateLimit_Is429WithRetryAfter()
    {
        await using var host = await GatewayHost.StartAsync(services: s => s.AddSingleton<IRequestGate>(new KeyGate()));
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"mock","messages":[{"role":"user","content":"Hi"}]}""", Bearer("sk-good"));
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task SpendRecord_AndCallerMetadata_ReachTheirSeams()
    {
        var sink = new RecordingSpendSink();
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero };
        await using var host = await GatewayHost.StartAsync(
            o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("probe", probe)),
            s => s.AddSingleton<IRequestGate>(new KeyGate()).AddSingleton<ISpendSink>(sink));

        var (response, _) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"probe","user":"end-9","metadata":{"tags":"x"},"messages":[{"role":"user","content":"Hi"}]}""", Bearer("sk-good"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var metadata = Assert.IsType<Dictionary<string, object?>>(probe.LastOptions!.AdditionalProperties!["metadata"]);
        Assert.Equal("user-1", metadata["user_id"]);
        Assert.Equal("team-1", metadata["team_id"]);
        Assert.Equal("key-hash-1", metadata["key_id"]);
        Assert.Equal("end-9", metadata["end_user"]);

        var record = Assert.Single(await sink.WaitForAsync(1));
        Assert.Equal("probe", record.ModelGroup);
        Assert.Equal("key-hash-1", record.KeyId);
        Assert.Equal("success", record.Status);
        Assert.Equal(3, record.InputTokens);
        Assert.Equal(2, record.OutputTokens);
        Assert.Equal(Assert.Single(response.Headers.GetValues("x-litellm-call-id")), record.RequestId);
        Assert.Equal(Assert.Single(response.Headers.GetValues("x-litellm-deployment")), record.Deployment);
        Assert.Equal("/chat/completions", record.Endpoint);

        // A refused request never reached the pipeline: no spend.
        await host.PostJsonAsync("/v1/chat/completions", Hi, Bearer("sk-bad"));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Single(await sink.WaitForAsync(1));
    }

    [Fact]
    public async Task Messages_AcceptsXApiKeyAndBearer_AndAnswersInAnthropicShape()
    {
        var gate = new KeyGate();
        await using var host = await GatewayHost.StartAsync(services: s => s.AddSingleton<IRequestGate>(gate));
        const string request = """{"model":"gpt-4o-mini","max_tokens":64,"system":"be nice","messages":[{"role":"user","content":"Hi"}]}""";

        var (viaXApiKey, body) = await host.PostJsonAsync("/v1/messages", request, r => { r.Headers.Add("x-api-key", "sk-good"); r.Headers.Add("anthropic-version", "2023-06-01"); });
        var (viaBearer, _) = await host.PostJsonAsync("/v1/messages", request, r => { r.Headers.Add("Authorization", "Bearer sk-good"); r.Headers.Add("anthropic-version", "2026-10-21"); });
        var (denied, error) = await host.PostJsonAsync("/v1/messages", request, r => r.Headers.Add("x-api-key", "sk-bad"));

        Assert.Equal(HttpStatusCode.OK, viaXApiKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("authentication_error", error.GetProperty("error").GetProperty("type").GetString());

        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("assistant", body.GetProperty("role").GetString());
        Assert.StartsWith("msg_", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("text", body.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("Hello there, general Kenobi", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("stop_sequence").ValueKind);
        Assert.True(body.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task Messages_ToolUseAndStreamingEvents()
    {
        await using var host = await GatewayHost.StartAsync();
        var (_, tools) = await host.PostJsonAsync("/v1/messages", """
            {"model":"weather","max_tokens":64,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"},
             "messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
                         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"cold"},{"type":"text","text":"and now?"}]}]}
            """);
        Assert.Equal("tool_use", tools.GetProperty("stop_reason").GetString());
        var block = tools.GetProperty("content")[0];
        Assert.Equal("tool_use", block.GetProperty("type").GetString());
        Assert.Equal("call_weather_1", block.GetProperty("id").GetString());
        Assert.Equal("Paris", block.GetProperty("input").GetProperty("city").GetString());

        var stream = await host.PostAsync("/v1/messages", """{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        var raw = await stream.Content.ReadAsStringAsync(Ct);
        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]["event: ".Length..]).ToList();
        Assert.Equal("message_start", events[0]);
        Assert.Equal("content_block_start", events[1]);
        Assert.All(events[2..^3], e => Assert.Equal("content_block_delta", e));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events[^3..]);
        var delta = JsonDocument.Parse(GatewayHost.SseData(raw)[^2]).RootElement;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());

        var (bad, error) = await host.PostJsonAsync("/v1/messages", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheUpstreamCall_StreamingAndNot()
    {
        var probe = new ProbeChatClient();
        await using var host = await GatewayHost.StartAsync(o =>
        {
            o.StreamKeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("slow", probe));
        });

        // Streaming: the keep-alive sends headers, the client reads them and goes away.
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var response = await host.PostAsync("/v1/chat/completions", """{"model":"slow","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", completion: HttpCompletionOption.ResponseHeadersRead, cancellationToken: cts.Token);
            var body = await response.Content.ReadAsStreamAsync(cts.Token);
            var buffer = new byte[8];
            var read = await body.ReadAsync(buffer, cts.Token);
            Assert.Equal(": ping\n\n"[..read], System.Text.Encoding.ASCII.GetString(buffer, 0, read));
            response.Dispose();
        }

        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // Non-streaming: the client cancels while the gateway waits on the upstream.
        var second = new ProbeChatClient();
        await using var host2 = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("slow", second)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pending = host2.PostAsync("/v1/chat/completions", """{"model":"slow","messages":[{"role":"user","content":"Hi"}]}""", cancellationToken: cancel.Token);
        await second.Called.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await second.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task SlowFirstToken_GetsKeepAliveComments_ThenTheAnswer()
    {
        await using var host = await GatewayHost.StartAsync(o => o.StreamKeepAliveInterval = TimeSpan.FromMilliseconds(100));
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"mock_latency":700,"messages":[{"role":"user","content":"Hi"}]}""");
        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith(": ping\n\n", raw, StringComparison.Ordinal);
        var data = GatewayHost.SseData(raw);
        Assert.Equal("[DONE]", data[^1]);
        Assert.Contains("Kenobi", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorAfterTheFirstChunk_IsSentInStream_WithoutDone()
    {
        var probe = new ProbeChatClient { Delay = TimeSpan.Zero, FailAfterFirstUpdate = true };
        await using var host = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("flaky", probe)));
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"flaky","stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = GatewayHost.SseData(await response.Content.ReadAsStringAsync(Ct));
        Assert.DoesNotContain("[DONE]", data);
        var error = JsonDocument.Parse(data[^1]).RootElement.GetProperty("error");
        Assert.Equal("service_unavailable", error.GetProperty("type").GetString());
        Assert.Contains("first", string.Join("", data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorBeforeTheFirstChunk_IsANormalErrorResponse()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"mock","stream":true,"mock_response":"litellm.ServiceUnavailableError","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RequestTimeout_Is504InOpenAiShape()
    {
        var probe = new ProbeChatClient();
        await using var host = await GatewayHost.StartAsync(o =>
        {
            o.RequestTimeout = TimeSpan.FromMilliseconds(300);
            o.ConfigureLiteLlm = l => l.Deployments.Add(ProbeChatClient.AsDeployment("slow", probe));
        });
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"slow","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", body.GetProperty("error").GetProperty("type").GetString());
        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
    }

    [Fact]
    public async Task AllowedIps_RefuseOtherAddressesWith403()
    {
        await using var blocked = await GatewayHost.StartAsync(o => o.AllowedIps.Add("10.0.0.0/8"));
        var (response, body) = await blocked.PostJsonAsync("/v1/chat/completions", Hi);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("ip_not_allowed", body.GetProperty("error").GetProperty("code").GetString());

        await using var allowed = await GatewayHost.StartAsync(o => o.AllowedIps.Add("127.0.0.1"));
        var (ok, _) = await allowed.PostJsonAsync("/v1/chat/completions", Hi);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Health_ProbesEveryDeployment_AndLivelinessReadinessMetricsAnswer()
    {
        var failing = new FixedReadiness("db", false);
        await using var host = await GatewayHost.StartAsync(services: s => s.AddSingleton<IReadinessCheck>(new FixedReadiness("redis", true)).AddSingleton<IReadinessCheck>(failing));
        await host.PostJsonAsync("/v1/chat/completions", Hi);

        var health = JsonDocument.Parse(await host.Http.GetStringAsync("/health", Ct)).RootElement;
        Assert.Equal(5, health.GetProperty("healthy_count").GetInt32());
        Assert.Equal(0, health.GetProperty("unhealthy_count").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/liveliness", Ct)).StatusCode);
        // LiteLLM's fields; a database that does not answer keeps readiness 200 (requests are served from cached keys).
        var readiness = await host.Http.GetAsync("/health/readiness", Ct);
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        var ready = JsonDocument.Parse(await readiness.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        Assert.Equal("disconnected", ready.GetProperty("db").GetString());
        Assert.Equal("redis", ready.GetProperty("cache").GetString());
        Assert.Matches(@"^\d+\.\d+", ready.GetProperty("litellm_version").GetString());
        Assert.Equal("unhealthy", ready.GetProperty("checks").GetProperty("db").GetProperty("status").GetString());
        Assert.Equal("healthy", ready.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());

        // Any other failing dependency is a 503.
        await using (var broken = await GatewayHost.StartAsync(services: s => s.AddSingleton<IReadinessCheck>(new FixedReadiness("queue", false))))
        {
            var unready = await broken.Http.GetAsync("/health/readiness", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
            var body = JsonDocument.Parse(await unready.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("Not connected", body.GetProperty("db").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("cache").ValueKind);
        }

        var metrics = await host.Http.GetAsync("/metrics", Ct);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = await metrics.Content.ReadAsStringAsync(Ct);
        Assert.Contains("# TYPE litellm_gateway_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("litellm_gateway_requests_total{endpoint=\"/chat/completions\",model_group=\"gpt-4o-mini\",status=\"success\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("litellm_requests_total{", text, StringComparison.Ordinal);
        Assert.Contains("_bucket{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfo_NeverShowsKeys()
    {
        const string yaml = """
            model_list:
              - model_name: secret-model
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_key: sk-very-secret-value
                  api_base: https://user:pw@example.invalid/v1?key=abc
            """;
        await using var host = await GatewayHost.StartAsync(yaml: yaml);
        var text = await host.Http.GetStringAsync("/v1/model/info", Ct);
        Assert.DoesNotContain("sk-very-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pw@", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key=abc", text, StringComparison.Ordinal);
        Assert.Contains("openai/gpt-4o-mini", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultConfig_IsOfflineWithoutKeys_AndRealWithThem()
    {
        var offline = GatewayPipeline.LoadConfig(new GatewayOptions(), _ => null);
        Assert.Equal(["claude-3-5-haiku", "gpt-4o-mini", "mock", "text-embedding-3-small"], offline.ModelList.Select(d => d.ModelGroup).Order(StringComparer.Ordinal));
        Assert.All(offline.ModelList, d => Assert.StartsWith("mock/", d.Model, StringComparison.Ordinal));

        var online = GatewayPipeline.LoadConfig(new GatewayOptions(), n => n == "OPENAI_API_KEY" ? "sk-x" : null);
        Assert.Equal("openai/gpt-4o-mini", online.ModelList.Single(d => d.ModelGroup == "gpt-4o-mini").Model);
        Assert.Equal("mock/claude-3-5-haiku", online.ModelList.Single(d => d.ModelGroup == "claude-3-5-haiku").Model);

        var quick = GatewayPipeline.LoadConfig(new GatewayOptions { Model = "mock/quick" }, _ => null);
        Assert.Equal("mock/quick", Assert.Single(quick.ModelList).ModelGroup);

        Assert.Throws<InvalidOperationException>(() => GatewayPipeline.LoadConfig(new GatewayOptions { ConfigFile = "/nonexistent/config.yaml" }, _ => null));
    }

    [Fact]
    public async Task ConfigFile_IsServed()
    {
        var file = Path.Combine(Path.GetTempPath(), "litellm-gw-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(file, """
            model_list:
              - model_name: from-file
                litellm_params:
                  model: mock/from-file
                  mock_response: "from the file"
            general_settings:
              max_request_size_mb: 1
            """, Ct);
        try
        {
            var options = new GatewayOptions { ConfigFile = file, Host = "127.0.0.1", Port = 0 };
            var config = GatewayPipeline.LoadConfig(options);
            await using var host = await GatewayHost.StartAsync(o => o.ConfigFile = file, yaml: File.ReadAllText(file));
            var (_, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"from-file","messages":[{"role":"user","content":"Hi"}]}""");
            Assert.Equal("from the file", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            Assert.Equal(1024 * 1024, host.Services.GetRequiredService<GatewayOptions>().MaxRequestBodyBytes);
            Assert.Single(config.ModelList);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Cost_IsInTheHeaderAndTheSpendRecord()
    {
        var sink = new RecordingSpendSink();
        await using var host = await GatewayHost.StartAsync(services: s => s.AddSingleton<ISpendSink>(sink));
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"priced","messages":[{"role":"user","content":"Hi"}]}""");
        var usage = body.GetProperty("usage");
        var expected = (usage.GetProperty("prompt_tokens").GetInt64() * 0.001m) + (usage.GetProperty("completion_tokens").GetInt64() * 0.002m);
        var header = decimal.Parse(Assert.Single(response.Headers.GetValues("x-litellm-response-cost")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, header);

        Assert.Equal(expected, Assert.Single(await sink.WaitForAsync(1)).Cost);
    }

    [Fact]
    public async Task ManyConcurrentStreams_AllCompleteWhole()
    {
        await using var host = await GatewayHost.StartAsync();
        var streams = Enumerable.Range(0, 100).Select(async i =>
        {
            var response = await host.PostAsync("/v1/chat/completions", $$"""{"model":"mock","stream":true,"messages":[{"role":"user","content":"n{{i}}"}]}""");
            var data = GatewayHost.SseData(await response.Content.ReadAsStringAsync(Ct));
            Assert.Equal("[DONE]", data[^1]);
            var text = string.Concat(data[..^1].Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices")[0].GetProperty("delta")).Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
            Assert.Equal($"Mock response to: n{i}", text);
        });
        await Task.WhenAll(streams);
    }

    private sealed class FixedReadiness(string name, bool healthy) : IReadinessCheck
    {
        public string Name => name;

        public Task<bool> CheckAsync(CancellationToken cancellationToken) => Task.FromResult(healthy);
    }
}
