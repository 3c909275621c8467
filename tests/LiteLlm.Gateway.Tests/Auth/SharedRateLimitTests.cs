using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Two gateway instances sharing one store and one real Redis hold one key's rpm limit together.</summary>
[Collection("Gateway load")]
public sealed class SharedRateLimitTests
{
    private const string Master = "sk-master-shared-0123456789";

    [Fact]
    public async Task TwoGateways_ShareOneRpmLimitThroughRedis()
    {
        var redis = RedisOrSkip();
        // Replicas share keys through PostgreSQL (SQLite is the single-instance default).
        var database = await PostgresDatabase.CreateOrSkipAsync();
        var (host, port) = (redis.Split(':')[0], redis.Split(':')[1]);
        var yaml = $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat, mock_response: "ok"}
            router_settings:
              redis_host: {{host}}
              redis_port: {{port}}
            general_settings:
              master_key: {{Master}}
              database_url: postgresql://litellm:litellm@127.0.0.1:5432/{{database.Name}}
            """;
        try
        {
            await using var a = await GatewayHost.StartAsync(yaml: yaml);
            await using var b = await GatewayHost.StartAsync(yaml: yaml);
            using var generate = new HttpRequestMessage(HttpMethod.Post, "/key/generate") { Content = new StringContent("""{"rpm_limit":20}""", Encoding.UTF8, "application/json") };
            generate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Master);
            var key = JsonDocument.Parse(await (await a.Http.SendAsync(generate, TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("key").GetString()!;

            // Windows are whole minutes: start well inside one so the run does not straddle a boundary.
            if (DateTime.UtcNow.Second >= 40)
            {
                await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second), TestContext.Current.CancellationToken);
            }

            var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
            var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                var http = i % 2 == 0 ? a.Http : b.Http;
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"chat","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                if ((int)response.StatusCode >= 500)
                {
                    errors.Add(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                }

                return response.StatusCode;
            }));

            var ok = statuses.Count(s => s == HttpStatusCode.OK);
            Assert.True(ok == 20, string.Join(",", statuses.GroupBy(s => s).Select(g => $"{g.Key}={g.Count()}")) + " " + string.Join(" | ", errors.Take(2)));
            Assert.Equal(20, ok);
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    internal static string RedisOrSkip()
    {
        var configuration = Environment.GetEnvironmentVariable("LITELLM_TEST_REDIS") ?? "127.0.0.1:6379";
        try
        {
            using var connection = ConnectionMultiplexer.Connect(configuration + ",connectTimeout=1000,abortConnect=true");
            connection.GetDatabase().Ping();
            return configuration;
        }
        catch (RedisConnectionException)
        {
            Assert.Skip("Needs a Redis server at LITELLM_TEST_REDIS or 127.0.0.1:6379 (run eng/services.sh); none answered.");
            return null!;
        }
    }
}
