using System.Text.Json;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// The spend writer's batches on SQLite and PostgreSQL: a spend row is counted once in the key, user, team, organization,
/// customer and tag totals even when its request id is already stored (a batch retried after a failure that had landed)
/// or repeats within one batch. Read back through the management API.
/// </summary>
[Collection("Gateway load")]
public sealed class SpendBatchTests : IDisposable
{
    private const string Master = "sk-master-batch-0123456789";
    private static readonly DateTimeOffset At = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-batch-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Sqlite_DuplicateRequestIds_AreCountedOnce() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_DuplicateRequestIds_AreCountedOnce()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: $$"""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat, mock_response: "ok"}
            general_settings:
              master_key: {{Master}}
              {{storage}}
            """);
        var http = gateway.Http;
        await Ok(http, HttpMethod.Post, "/organization/new", Master, """{"organization_id":"o-dup"}""");
        await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-dup","organization_id":"o-dup"}""");
        await Ok(http, HttpMethod.Post, "/user/new", Master, """{"user_id":"u-dup","auto_create_key":false}""");
        await Ok(http, HttpMethod.Post, "/customer/new", Master, """{"user_id":"c-dup"}""");
        var generated = await Ok(http, HttpMethod.Post, "/key/generate", Master, """{"user_id":"u-dup","team_id":"t-dup"}""");
        var key = generated.GetProperty("key").GetString()!;
        var token = generated.GetProperty("token_id").GetString()!;

        var store = gateway.Services.GetRequiredService<ISpendStore>();
        await store.WriteSpendAsync([Row("r1", token, 1m, ["dup-tag"])], Ct);
        // r1 is already stored; r2 comes twice in this batch (with the same tag twice in its list); r4 has no cost.
        await store.WriteSpendAsync(
        [
            Row("r1", token, 1m, ["dup-tag"]),
            Row("r2", token, 2m, ["dup-tag", "dup-tag"]),
            Row("r2", token, 2m, ["dup-tag"]),
            Row("r3", token, 4m, ["dup-tag", "other-tag"]),
            Row("r4", token, null, ["dup-tag"]),
        ], Ct);
        // The same batch again, as the writer retries one whose commit it did not see: nothing changes.
        await store.WriteSpendAsync([Row("r3", token, 4m, ["dup-tag"]), Row("r2", token, 2m, [])], Ct);

        Assert.Equal(7m, (await Ok(http, HttpMethod.Get, "/key/info?key=" + key, Master, null)).GetProperty("info").GetProperty("spend").GetDecimal());
        Assert.Equal(7m, (await Ok(http, HttpMethod.Get, "/user/info?user_id=u-dup", Master, null)).GetProperty("user_info").GetProperty("spend").GetDecimal());
        Assert.Equal(7m, (await Ok(http, HttpMethod.Get, "/team/info?team_id=t-dup", Master, null)).GetProperty("team_info").GetProperty("spend").GetDecimal());
        Assert.Equal(7m, (await Ok(http, HttpMethod.Get, "/organization/info?organization_id=o-dup", Master, null)).GetProperty("spend").GetDecimal());
        Assert.Equal(7m, (await Ok(http, HttpMethod.Get, "/customer/info?end_user_id=c-dup", Master, null)).GetProperty("spend").GetDecimal());

        var logs = await Ok(http, HttpMethod.Get, "/spend/logs?api_key=" + key, Master, null);
        Assert.Equal(4, logs.GetProperty("total").GetInt64());
        Assert.Equal(["r1", "r2", "r3", "r4"], logs.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("request_id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["dup-tag", "dup-tag"], logs.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("request_id").GetString() == "r2").GetProperty("request_tags").EnumerateArray().Select(t => t.GetString()));

        var tags = (await Ok(http, HttpMethod.Get, "/spend/tags", Master, null)).EnumerateArray().ToDictionary(t => t.GetProperty("individual_request_tag").GetString()!);
        Assert.Equal((7m, 4L), Tag(tags["dup-tag"]));
        Assert.Equal((4m, 1L), Tag(tags["other-tag"]));

        // A batch larger than the writer's largest (1,000 by default), with a duplicate: still one statement on PostgreSQL.
        await store.WriteSpendAsync([.. Enumerable.Range(0, 1001).Select(i => Row("big-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), token, 1m, [])), Row("r1", token, 1m, [])], Ct);
        Assert.Equal(1008m, (await Ok(http, HttpMethod.Get, "/organization/info?organization_id=o-dup", Master, null)).GetProperty("spend").GetDecimal());
        Assert.Equal(1005, (await Ok(http, HttpMethod.Get, "/spend/logs?api_key=" + key, Master, null)).GetProperty("total").GetInt64());
    }

    private static (decimal Spend, long Count) Tag(JsonElement tag) => (tag.GetProperty("total_spend").GetDecimal(), tag.GetProperty("log_count").GetInt64());

    private static SpendRecord Row(string id, string key, decimal? cost, string[] tags) => new()
    {
        RequestId = id,
        KeyId = key,
        UserId = "u-dup",
        TeamId = "t-dup",
        EndUser = "c-dup",
        ModelGroup = "chat",
        InputTokens = 10,
        OutputTokens = 5,
        Cost = cost,
        Status = "success",
        StartTime = At,
        EndTime = At.AddSeconds(1),
        Tags = tags,
    };

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }
}
