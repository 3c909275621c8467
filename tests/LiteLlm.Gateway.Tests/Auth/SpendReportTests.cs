using System.Net;
using System.Text.Json;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Spend reports on a seeded database (SQLite and PostgreSQL): /spend/tags, /global/spend/report by team, key and model; request tags recorded.</summary>
[Collection("Gateway load")]
public sealed class SpendReportTests : IDisposable
{
    private const string Master = "sk-master-report-0123456789";
    private static readonly DateTimeOffset Day1 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-report-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string storage) => $$"""
        model_list:
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
        general_settings:
          master_key: {{Master}}
          {{storage}}
        """;

    [Fact]
    public Task Sqlite_Reports() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_Reports()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(storage));
        var http = gateway.Http;
        await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-a","team_alias":"Alpha"}""");
        var store = gateway.Services.GetRequiredService<ISpendStore>();
        await store.WriteSpendAsync(
        [
            Row("r1", Day1, "t-a", "k1", "gpt", 1.0m, ["prod", "search"]),
            Row("r2", Day1.AddHours(2), "t-a", "k1", "claude", 2.0m, ["prod"]),
            Row("r3", Day1.AddHours(3), "t-b", "k2", "gpt", 4.0m, []),
            Row("r4", Day1.AddDays(1), "t-a", "k2", "gpt", 8.0m, ["search"]),
            Row("r5", Day1.AddDays(5), "t-a", "k1", "gpt", 16.0m, ["prod"]), // outside the range asked below
        ], Ct);

        // /spend/tags: per tag, dearest first; a date range narrows it.
        var tags = await Get(http, "/spend/tags");
        Assert.Equal(["prod", "search"], tags.EnumerateArray().Select(t => t.GetProperty("individual_request_tag").GetString()));
        Assert.Equal(19m, tags[0].GetProperty("total_spend").GetDecimal());
        Assert.Equal(3, tags[0].GetProperty("log_count").GetInt64());
        var ranged = await Get(http, "/spend/tags?start_date=2026-03-01&end_date=2026-03-02");
        Assert.Equal(9m, ranged.EnumerateArray().Single(t => t.GetProperty("individual_request_tag").GetString() == "search").GetProperty("total_spend").GetDecimal());
        Assert.Equal(3m, ranged.EnumerateArray().Single(t => t.GetProperty("individual_request_tag").GetString() == "prod").GetProperty("total_spend").GetDecimal());

        // /global/spend/report by team (default): per day, per team with its alias, per model.
        var byTeam = await Get(http, "/global/spend/report?start_date=2026-03-01&end_date=2026-03-02");
        Assert.Equal(["2026-03-01T00:00:00+00:00", "2026-03-02T00:00:00+00:00"], byTeam.EnumerateArray().Select(d => d.GetProperty("group_by_day").GetString()));
        var day1Teams = byTeam[0].GetProperty("teams").EnumerateArray().ToList();
        var alpha = day1Teams.Single(t => t.GetProperty("team_id").GetString() == "t-a");
        Assert.Equal("Alpha", alpha.GetProperty("team_name").GetString());
        Assert.Equal(3m, alpha.GetProperty("total_spend").GetDecimal());
        Assert.Equal(["claude", "gpt"], alpha.GetProperty("metadata").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
        Assert.Equal("t-b", day1Teams.Single(t => t.GetProperty("team_id").GetString() == "t-b").GetProperty("team_name").GetString());

        var byKey = await Get(http, "/global/spend/report?start_date=2026-03-01&end_date=2026-03-01&group_by=api_key");
        Assert.Single(byKey.EnumerateArray());
        Assert.Equal(3m, byKey[0].GetProperty("api_keys").EnumerateArray().Single(k => k.GetProperty("api_key").GetString() == "k1").GetProperty("total_spend").GetDecimal());
        var byModel = await Get(http, "/global/spend/report?start_date=2026-03-01&end_date=2026-03-31&group_by=model");
        Assert.Equal(29m, byModel.EnumerateArray().SelectMany(d => d.GetProperty("models").EnumerateArray()).Where(m => m.GetProperty("model").GetString() == "gpt").Sum(m => m.GetProperty("total_spend").GetDecimal()));

        // Bad ranges and groupings are 400s naming the parameter.
        foreach (var (query, param) in new[] { ("", "start_date"), ("?start_date=2026-03-01", "end_date"), ("?start_date=2026-03-05&end_date=2026-03-01", "end_date"), ("?start_date=2026-03-01&end_date=2026-03-02&group_by=planet", "group_by"), ("?start_date=March&end_date=2026-03-02", "start_date") })
        {
            using var response = await Send(http, HttpMethod.Get, "/global/spend/report" + query, Master, null);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(param, (await Json(response)).GetProperty("error").GetProperty("param").GetString());
        }

        // A request's metadata.tags land on its spend row and in the tag report.
        var key = await GenerateKeyAsync(http, Master, "{}");
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced", ""","metadata":{"tags":["batch-job"]}""")).StatusCode);
        for (var i = 0; i < 100 && !(await Get(http, "/spend/tags")).EnumerateArray().Any(t => t.GetProperty("individual_request_tag").GetString() == "batch-job"); i++)
        {
            await Task.Delay(50, Ct);
        }

        var logs = await Get(http, "/spend/logs?api_key=" + key);
        Assert.Equal(["batch-job"], logs.GetProperty("data")[0].GetProperty("request_tags").EnumerateArray().Select(t => t.GetString()));

        // /global/spend/logs: spend per day over the last 30 days (the March rows are older), in all and for one key.
        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var total = (await Get(http, "/global/spend")).GetProperty("spend").GetDecimal() - 31m;
        var daily = Assert.Single((await Get(http, "/global/spend/logs")).EnumerateArray());
        Assert.Equal(today, daily.GetProperty("date").GetString());
        Assert.True(total > 0 && daily.GetProperty("spend").GetDecimal() == total, daily.ToString());
        var hashed = logs.GetProperty("data")[0].GetProperty("api_key").GetString();
        foreach (var asked in new[] { key, hashed })
        {
            var mine = Assert.Single((await Get(http, "/global/spend/logs?api_key=" + asked)).EnumerateArray());
            Assert.Equal((today, hashed), (mine.GetProperty("date").GetString(), mine.GetProperty("api_key").GetString()));
            Assert.Equal(total, mine.GetProperty("spend").GetDecimal());
        }

        Assert.Empty((await Get(http, "/global/spend/logs?api_key=sk-someone-else-0123456789")).EnumerateArray());
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    private static SpendRecord Row(string id, DateTimeOffset at, string team, string key, string model, decimal cost, string[] tags) => new()
    {
        RequestId = id,
        KeyId = key,
        TeamId = team,
        ModelGroup = model,
        InputTokens = 10,
        OutputTokens = 5,
        Cost = cost,
        Status = "success",
        StartTime = at,
        EndTime = at.AddSeconds(1),
        Tags = tags,
    };

    private static async Task<JsonElement> Get(HttpClient http, string path)
    {
        using var response = await Send(http, HttpMethod.Get, path, Master, null);
        var json = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, path + ": " + json);
        return json;
    }
}
