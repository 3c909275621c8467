using System.Net;
using System.Text;
using System.Text.Json;

using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Key lifecycle and enforcement through the real gateway, on SQLite and on a real PostgreSQL.</summary>
[Collection("Gateway load")]
public sealed class VirtualKeyTests
{
    private const string Master = "sk-master-test-key-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string storage) => $$"""
        model_list:
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello"}
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
        general_settings:
          master_key: {{Master}}
          {{storage}}
        """;

    [Fact]
    public async Task Sqlite_KeyLifecycleAndEnforcement()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gw-{Guid.NewGuid():N}.db");
        try
        {
            await RunLifecycleAsync($"sqlite_path: {path}");
            var bytes = await File.ReadAllBytesAsync(path, Ct);
            Assert.DoesNotContain("sk-", Encoding.UTF8.GetString(bytes).Replace("sk-...", "", StringComparison.Ordinal), StringComparison.Ordinal); // only hashes at rest
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    [Fact]
    public async Task Postgres_KeyLifecycleAndEnforcement()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunLifecycleAsync(database.Storage);
    }

    private static async Task RunLifecycleAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(storage));
        var http = gateway.Http;

        // Admin endpoints: no key 401, a non-master key 403.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(http, HttpMethod.Post, "/key/generate", null, "{}")).StatusCode);
        var generated = await Json(await Send(http, HttpMethod.Post, "/key/generate", Master, """{"models":["gpt-4o-mini"],"rpm_limit":3,"key_alias":"team-a","user_id":"u1","team_id":"t1"}"""));
        var key = generated.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(http, HttpMethod.Post, "/key/generate", key, "{}")).StatusCode);

        // Inference: the key works for its model; a wrong key and another model are refused.
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, "sk-wrong-key-0123456789", "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, null, "gpt-4o-mini")).StatusCode);
        var disallowed = await Chat(http, key, "priced");
        Assert.Equal(HttpStatusCode.Forbidden, disallowed.StatusCode);
        Assert.Equal("model_not_allowed", (await Json(disallowed)).GetProperty("error").GetProperty("code").GetString());

        // rpm_limit 3: two more pass, the next is a 429 with Retry-After.
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
        var limited = await Chat(http, key, "gpt-4o-mini");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Budget, as LiteLLM: admitted while spend is below max_budget. A priced call costs 0.011 and max_budget is 0.012:
        // the first call spends 0.011, the second is admitted on the 0.001 left (it needs more, but something is left),
        // and the third is refused with LiteLLM's message and figures.
        var budgeted = (await Json(await Send(http, HttpMethod.Post, "/key/generate", Master, """{"max_budget":0.012}"""))).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, budgeted, "priced")).StatusCode);
        await WaitForSpendRowsAsync(http, budgeted, 1); // settled with the spend row, just after the response is written
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, budgeted, "priced")).StatusCode);
        await WaitForSpendRowsAsync(http, budgeted, 2);
        var over = await Chat(http, budgeted, "priced");
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        var overError = (await Json(over)).GetProperty("error");
        Assert.Equal("budget_exceeded", overError.GetProperty("code").GetString());
        Assert.Equal("budget_exceeded", overError.GetProperty("type").GetString());
        Assert.StartsWith("Budget has been exceeded! Key=sk-...", overError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Current cost: 0.022, Max budget: 0.012", overError.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Expired key.
        var shortLived = (await Json(await Send(http, HttpMethod.Post, "/key/generate", Master, """{"duration":"1s"}"""))).GetProperty("key").GetString()!;
        await Task.Delay(1200, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, shortLived, "gpt-4o-mini")).StatusCode);

        // Info, list, spend logs (written off the request path in batches), delete.
        var info = await Json(await Send(http, HttpMethod.Get, "/key/info?key=" + key, Master, null));
        Assert.Equal("team-a", info.GetProperty("info").GetProperty("key_alias").GetString());
        var list = await Json(await Send(http, HttpMethod.Get, "/key/list?page=1&size=2", Master, null));
        Assert.Equal(3, list.GetProperty("total_count").GetInt64());
        Assert.Equal(2, list.GetProperty("keys").GetArrayLength());

        JsonElement logs = default;
        for (var i = 0; i < 50; i++)
        {
            logs = await Json(await Send(http, HttpMethod.Get, "/spend/logs?api_key=" + key, Master, null));
            if (logs.GetProperty("total").GetInt64() >= 3)
            {
                break;
            }

            await Task.Delay(100, Ct);
        }

        // Spend rows: one per admitted request of this key (three successes), none for refused ones.
        Assert.Equal(3, logs.GetProperty("data").EnumerateArray().Count(r => r.GetProperty("status").GetString() == "success"));
        Assert.All(logs.GetProperty("data").EnumerateArray(), r => Assert.DoesNotContain(key, r.GetRawText(), StringComparison.Ordinal));

        // Users and teams: a team's model list bounds its keys; info shows what was created.
        Assert.Equal("t-search", (await Json(await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-search","team_alias":"Search","models":["gpt-4o-mini"],"max_budget":5}"""))).GetProperty("team_id").GetString());
        var ada = await Json(await Send(http, HttpMethod.Post, "/user/new", Master, """{"user_id":"u-ada","max_budget":10}"""));
        Assert.Equal("u-ada", ada.GetProperty("user_id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, ada.GetProperty("key").GetString(), "gpt-4o-mini")).StatusCode); // /user/new made the user a key
        var teamKey = (await Json(await Send(http, HttpMethod.Post, "/key/generate", Master, """{"team_id":"t-search","user_id":"u-ada"}"""))).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, teamKey, "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Chat(http, teamKey, "priced")).StatusCode);
        Assert.Equal("Search", (await Json(await Send(http, HttpMethod.Get, "/team/info?team_id=t-search", Master, null))).GetProperty("team_info").GetProperty("team_alias").GetString());
        Assert.Equal(2, (await Json(await Send(http, HttpMethod.Get, "/user/info?user_id=u-ada", Master, null))).GetProperty("keys").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, HttpMethod.Get, "/team/info?team_id=nope", Master, null)).StatusCode);

        var deleted = await Json(await Send(http, HttpMethod.Post, "/key/delete", Master, $$"""{"keys":["{{key}}"]}"""));
        Assert.Equal(1, deleted.GetProperty("deleted_keys").GetArrayLength());
        await Task.Delay(10, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
    }

    /// <summary>Waits until the key has <paramref name="count"/> spend rows (its budget is settled by then).</summary>
    private static async Task WaitForSpendRowsAsync(HttpClient http, string key, int count)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await Json(await Send(http, HttpMethod.Get, "/spend/logs?api_key=" + key, Master, null))).GetProperty("total").GetInt64() >= count)
            {
                return;
            }

            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task TwoHundredConcurrentRequests_OvershootAKeyBudgetByAtMostOneRequest()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gw-budget-{Guid.NewGuid():N}.db");
        try
        {
            await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {path}").Replace("mock_response: \"four words of answer\"", "mock_response: \"four words of answer\", mock_latency: 20", StringComparison.Ordinal));
            const decimal Budget = 0.1m;
            var key = (await Json(await Send(gateway.Http, HttpMethod.Post, "/key/generate", Master, $$"""{"max_budget":{{Budget}}}"""))).GetProperty("key").GetString()!;

            var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
                Send(gateway.Http, HttpMethod.Post, "/v1/chat/completions", key, """{"model":"priced","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""")));

            var costs = responses.Where(r => r.StatusCode == HttpStatusCode.OK)
                .Select(CostOf).ToList();
            Assert.NotEmpty(costs);
            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, r.StatusCode.ToString()));
            Assert.True(costs.Sum() <= Budget + costs.Max(), $"spent {costs.Sum()} of {Budget} in {costs.Count} requests");
        }
        finally
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        }
    }
}
