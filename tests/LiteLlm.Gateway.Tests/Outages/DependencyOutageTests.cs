using System.Net;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Tests.Auth;
using Npgsql;
using StackExchange.Redis;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Outages;

/// <summary>
/// Redis and PostgreSQL going away mid-load, through a proxy the test cuts (the real servers keep running): requests keep
/// succeeding on local state with a warning, spend records wait in memory, and everything is shared and written again
/// once the dependency returns.
/// </summary>
[Collection("Gateway load")]
public sealed class DependencyOutageTests
{
    private const string Master = "sk-master-outage-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string settings) => $$"""
        model_list:
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
        {{settings}}
        """;

    [Fact]
    public async Task RedisStopped_RequestsSucceedOnLocalState_AndSharingResumesWithTheOutagesSpend()
    {
        var redis = SharedRateLimitTests.RedisOrSkip();
        var (host, port) = (redis.Split(':')[0], int.Parse(redis.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        await using var proxy = new TcpProxy(host, port);
        var db = Path.Combine(Path.GetTempPath(), $"gw-redis-outage-{Guid.NewGuid():N}.db");
        var logs = new CapturingLoggerProvider();
        using var direct = await ConnectionMultiplexer.ConnectAsync(redis);
        try
        {
            await using var gateway = await GatewayHost.StartAsync(
                services: s => s.AddSingleton<ILoggerProvider>(logs),
                yaml: Yaml($"""
                    router_settings: {"{"}redis_host: 127.0.0.1, redis_port: {proxy.Port}{"}"}
                    litellm_settings: {"{"}cache: true, cache_params: {"{"}type: redis, host: 127.0.0.1, port: {proxy.Port}{"}"}{"}"}
                    general_settings: {"{"}master_key: {Master}, sqlite_path: {db}{"}"}
                    """));
            var key = await GenerateKeyAsync(gateway.Http, Master, """{"rpm_limit":1000,"max_budget":100}""");
            var hash = KeyHasher.Hash(key);
            var spent = 0m;

            spent += await ChatsAsync(gateway.Http, key, 10);
            Assert.Equal(10, await SharedRequestsAsync(direct, hash));

            proxy.Cut();
            spent += await ChatsAsync(gateway.Http, key, 10); // all 200, on this process's counters
            Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Redis unreachable", StringComparison.Ordinal));
            Assert.Equal(10, await SharedRequestsAsync(direct, hash));

            proxy.Restore();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await SharedRequestsAsync(direct, hash) <= 10)
            {
                Assert.True(DateTime.UtcNow < deadline, "Sharing through Redis did not resume within 30 s of its return.");
                spent += await ChatsAsync(gateway.Http, key, 1);
                await Task.Delay(200, Ct);
            }

            // The shared budget counter holds every call's cost, those made during the outage included.
            var budgetKey = $"{{litellm-gw-budget}}:Key:{hash}:all";
            for (var i = 0; ; i++)
            {
                var shared = (decimal)(long)await direct.GetDatabase().HashGetAsync(budgetKey, "spend") / 1_000_000_000m;
                if (shared == spent)
                {
                    break;
                }

                Assert.True(i < 50, $"shared spend {shared}, spent {spent}");
                await Task.Delay(100, Ct);
            }

            Assert.Contains(logs.Lines, l => l.Contains("Redis reachable again", StringComparison.Ordinal));
        }
        finally
        {
            SqliteFiles.Delete(db);
        }
    }

    [Fact]
    public async Task PostgresStopped_RequestsSucceed_SpendBuffersAndIsWrittenAfterRecovery()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await using var proxy = new TcpProxy("127.0.0.1", 5432);
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(
            services: s => s.AddSingleton<ILoggerProvider>(logs),
            yaml: Yaml($"""
                general_settings:
                  master_key: {Master}
                  database_url: postgresql://litellm:litellm@127.0.0.1:{proxy.Port}/{database.Name}
                """));
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":100}""");
        var spent = await ChatsAsync(gateway.Http, key, 5);
        await WaitForRowsAsync(database.Name, 5);

        proxy.Cut();

        // 12 s of calls: past the key cache's 10 s, so the last cached record keeps serving while the database is away.
        for (var i = 0; i < 24; i++)
        {
            spent += await ChatsAsync(gateway.Http, key, 1);
            await Task.Delay(500, Ct);
        }

        // Still ready (a readiness probe failing now would take every replica out at once), and saying why.
        using (var readiness = await gateway.Http.GetAsync(new Uri("/health/readiness", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
            var body = System.Text.Json.JsonDocument.Parse(await readiness.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal("disconnected", body.GetProperty("db").GetString());
        }

        Assert.Equal(5, await CountRowsAsync(database.Name));
        Assert.Contains(logs.Lines, l => l.Contains("spend records failed", StringComparison.Ordinal));

        proxy.Restore();
        await WaitForRowsAsync(database.Name, 29);
        Assert.Equal(spent, await ScalarAsync<decimal>(database.Name, "SELECT CAST(SUM(spend) AS numeric) FROM litellm_keys"));
    }

    /// <summary>Sends <paramref name="count"/> calls, each of which must succeed; returns their cost.</summary>
    private static async Task<decimal> ChatsAsync(HttpClient http, string key, int count)
    {
        var spent = 0m;
        for (var i = 0; i < count; i++)
        {
            using var response = await Chat(http, key, "priced");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
            spent += CostOf(response);
        }

        return spent;
    }

    /// <summary>Sums the key's request counters in Redis over every window.</summary>
    private static async Task<long> SharedRequestsAsync(ConnectionMultiplexer redis, string hash)
    {
        var server = redis.GetServers()[0];
        var total = 0L;
        await foreach (var k in server.KeysAsync(pattern: $"litellm-gw:rpm:{hash}:*"))
        {
            total += (long)await redis.GetDatabase().StringGetAsync(k);
        }

        return total;
    }

    private static async Task WaitForRowsAsync(string database, long expected)
    {
        for (var i = 0; ; i++)
        {
            var rows = await CountRowsAsync(database);
            if (rows == expected)
            {
                return;
            }

            Assert.True(i < 300, $"{rows} spend rows, expected {expected}");
            await Task.Delay(100, Ct);
        }
    }

    private static Task<long> CountRowsAsync(string database) => ScalarAsync<long>(database, "SELECT COUNT(*) FROM litellm_spend_logs");

    private static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port=5432;Username=litellm;Password=litellm;Database={database};Pooling=false");
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(Ct))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
