using System.Text.Json;

namespace LiteLlm.Gateway.Tests;

/// <summary>The gateway records its traffic when <c>litellm_settings.record_file</c> is set; a <c>mock/replay</c> deployment plays it back.</summary>
public sealed class RecordReplayGatewayTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "gw-rec-" + Guid.NewGuid().ToString("N") + ".jsonl");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task RecordedTraffic_IsReplayedByAMockReplayDeployment_WithTheSameAnswer()
    {
        const string Request = """{"model":"weather","user":"ann@example.com","messages":[{"role":"user","content":"Weather and time in Paris?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]}""";
        var recordYaml = GatewayHost.Yaml + $$"""

            litellm_settings:
              record_file: "{{_path}}"
              record_redact_fields: [user, end_user]
            """;
        JsonElement recorded;
        await using (var host = await GatewayHost.StartAsync(yaml: recordYaml))
        {
            var (response, body) = await host.PostJsonAsync("/v1/chat/completions", Request);
            Assert.Equal(200, (int)response.StatusCode);
            recorded = body.Clone();
        }

        var replayYaml = $$"""
            model_list:
              - model_name: weather
                litellm_params:
                  model: mock/replay
                  replay_file: "{{_path}}"
            """;
        await using (var host = await GatewayHost.StartAsync(yaml: replayYaml))
        {
            var (response, body) = await host.PostJsonAsync("/v1/chat/completions", Request);
            Assert.Equal(200, (int)response.StatusCode);
            var calls = body.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls");
            Assert.Equal(["call_weather_1", "call_time_2"], calls.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
            Assert.Equal(recorded.GetProperty("choices").GetRawText(), body.GetProperty("choices").GetRawText());
            Assert.Equal(recorded.GetProperty("usage").GetRawText(), body.GetProperty("usage").GetRawText());
            Assert.Equal(recorded.GetProperty("id").GetString(), body.GetProperty("id").GetString());

            var (unknown, error) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"weather","messages":[{"role":"user","content":"never recorded"}]}""");
            Assert.Equal(400, (int)unknown.StatusCode);
            Assert.Contains("no call in", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var file = await File.ReadAllTextAsync(_path, TestContext.Current.CancellationToken);
        Assert.Single(file.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("ann@example.com", file, StringComparison.Ordinal);
        Assert.Contains("\"end_user\":\"[REDACTED]\"", file, StringComparison.Ordinal);
    }
}
