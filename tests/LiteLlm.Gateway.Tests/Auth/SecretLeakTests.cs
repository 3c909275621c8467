using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Every log line and error body written while keys are used, refused and rejected upstream holds no secret.</summary>
[Collection("Gateway load")]
public sealed class SecretLeakTests
{
    private const string Master = "sk-master-leak-test-0123456789abcdef";
    private const string ProviderKey = "sk-provider-secret-0123456789abcdef";

    [Fact]
    public async Task NoKeyAppearsInLogsOrErrorBodies()
    {
        var logs = new CapturingLoggerProvider();
        var bodies = new ConcurrentBag<string>();
        var db = Path.Combine(Path.GetTempPath(), $"gw-leak-{Guid.NewGuid():N}.db");
        var yaml = $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat, mock_response: "ok"}
              - model_name: rejected
                litellm_params: {model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:9/v1", api_key: {{ProviderKey}}}
            general_settings:
              master_key: {{Master}}
              sqlite_path: {{db}}
            """;
        try
        {
            await using (var gateway = await GatewayHost.StartAsync(o => o.DetailedDebug = true, s => s.AddSingleton<ILoggerProvider>(logs), yaml))
            {
                async Task<string> Send(string path, string? key, string body)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    if (key is not null)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                    }

                    using var response = await gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
                    var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    bodies.Add(text);
                    return text;
                }

                var key = JsonDocument.Parse(await Send("/key/generate", Master, """{"models":["chat","rejected"]}""")).RootElement.GetProperty("key").GetString()!;
                bodies.Clear(); // the generate answer is the one place a key is meant to appear
                await Send("/v1/chat/completions", key, """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""");
                await Send("/v1/chat/completions", key, """{"model":"rejected","messages":[{"role":"user","content":"hi"}]}"""); // upstream unreachable
                await Send("/v1/chat/completions", key + "x", """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""");
                await Send("/v1/chat/completions", Master, """{"model":"nope","messages":[{"role":"user","content":"hi"}]}""");
                await Send("/key/generate", key, "{}");

                foreach (var secret in new[] { Master, ProviderKey, key })
                {
                    Assert.DoesNotContain(logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
                    Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
                }
            }

            Assert.NotEmpty(logs.Lines); // the scan saw real output
        }
        finally
        {
            foreach (var f in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(f);
            }
        }
    }
}
