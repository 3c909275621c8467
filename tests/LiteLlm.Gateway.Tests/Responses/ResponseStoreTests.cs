using System.Net;
using LiteLlm.Gateway.Storage;
using LiteLlm.Gateway.Tests.Auth;
using Microsoft.Extensions.Time.Testing;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Responses;

/// <summary>Stored responses in the gateway's database: owned by their key, shared by replicas, kept across restarts, expired by retention.</summary>
public sealed class ResponseStoreTests : IDisposable
{
    private const string Master = "sk-master-responses-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-responses-{Guid.NewGuid():N}.db");

    private static string Yaml(string storage, string extra = "") => $$"""
        model_list:
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "stored answer"}
        general_settings:
          master_key: {{Master}}
          {{storage}}
          {{extra}}
        """;

    [Fact]
    public async Task AnotherKey_Gets404_ForEveryOperationAndForChaining_TheOwnerAndTheMasterKeyDoNot()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        var owner = await GenerateKeyAsync(gateway.Http, Master, "{}");
        var other = await GenerateKeyAsync(gateway.Http, Master, "{}");
        var id = await CreateAsync(gateway.Http, owner, """{"model":"gpt-4o-mini","input":"mine"}""");

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, $"/v1/responses/{id}", null),
            (HttpMethod.Get, $"/v1/responses/{id}/input_items", null),
            (HttpMethod.Delete, $"/v1/responses/{id}", null),
            (HttpMethod.Post, "/v1/responses", $$"""{"model":"gpt-4o-mini","input":"x","previous_response_id":"{{id}}"}"""),
        })
        {
            using var refused = await Send(gateway.Http, method, path, other, body);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using var mine = await Send(gateway.Http, HttpMethod.Get, $"/v1/responses/{id}", owner, null);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        using var admin = await Send(gateway.Http, HttpMethod.Get, $"/v1/responses/{id}", Master, null);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        using var anonymous = await Send(gateway.Http, HttpMethod.Get, $"/v1/responses/{id}", null, null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Sqlite_ChainContinuesAfterARestart_AndSpendIsRecordedForTheResponsesEndpoint()
    {
        string key;
        string first;
        await using (var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}")))
        {
            key = await GenerateKeyAsync(gateway.Http, Master, "{}");
            first = await CreateAsync(gateway.Http, key, """{"model":"gpt-4o-mini","input":"before the restart"}""");
        }

        await using var restarted = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        var second = await CreateAsync(restarted.Http, key, $$"""{"model":"gpt-4o-mini","input":"after","previous_response_id":"{{first}}"}""");
        using var items = await Send(restarted.Http, HttpMethod.Get, $"/v1/responses/{second}/input_items", key, null);
        var data = (await Json(items)).GetProperty("data");
        Assert.Equal("after", Assert.Single(data.EnumerateArray()).GetProperty("content")[0].GetProperty("text").GetString());

        // The spend record of the call carries the same id (resp_<hex> answers the call chatcmpl-<hex>); it is written off the request path.
        var logs = string.Empty;
        for (var i = 0; i < 50 && !logs.Contains("chatcmpl-" + second[5..], StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            using var page = await Send(restarted.Http, HttpMethod.Get, "/spend/logs", Master, null);
            logs = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }

        Assert.Contains("chatcmpl-" + second[5..], logs);
    }

    [Fact]
    public async Task Postgres_TwoGatewaysContinueOneChain()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        var yaml = Yaml(database.Storage);
        await using var a = await GatewayHost.StartAsync(yaml: yaml);
        await using var b = await GatewayHost.StartAsync(yaml: yaml);
        var key = await GenerateKeyAsync(a.Http, Master, "{}");

        var one = await CreateAsync(a.Http, key, """{"model":"gpt-4o-mini","input":"one"}""");
        var two = await CreateAsync(b.Http, key, $$"""{"model":"gpt-4o-mini","input":"two","previous_response_id":"{{one}}"}""");
        var three = await CreateAsync(a.Http, key, $$"""{"model":"gpt-4o-mini","input":"three","previous_response_id":"{{two}}","stream":true}""", stream: true);

        using var retrieved = await Send(b.Http, HttpMethod.Get, $"/v1/responses/{three}", key, null);
        var body = await Json(retrieved);
        Assert.Equal(two, body.GetProperty("previous_response_id").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());

        // The whole chain reached the third call: the token estimate counts all five earlier items.
        using var tokens = await Send(b.Http, HttpMethod.Post, "/v1/responses/input_tokens", key, $$"""{"model":"gpt-4o-mini","input":"four","previous_response_id":"{{three}}"}""");
        using var alone = await Send(b.Http, HttpMethod.Post, "/v1/responses/input_tokens", key, """{"model":"gpt-4o-mini","input":"four"}""");
        Assert.True((await Json(tokens)).GetProperty("input_tokens").GetInt32() > (await Json(alone)).GetProperty("input_tokens").GetInt32() + 10);

        using var deleted = await Send(b.Http, HttpMethod.Delete, $"/v1/responses/{one}", key, null);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await Send(a.Http, HttpMethod.Get, $"/v1/responses/{one}", key, null);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Retention_RemovesResponsesOlderThanThePeriod()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock), yaml: Yaml($"sqlite_path: {_db}", "response_retention_period: 2d"));
        var key = await GenerateKeyAsync(gateway.Http, Master, "{}");
        var id = await CreateAsync(gateway.Http, key, """{"model":"gpt-4o-mini","input":"short-lived"}""");
        var maintenance = gateway.Services.GetRequiredService<ResponseStoreMaintenance>();

        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await maintenance.PurgeAsync(TestContext.Current.CancellationToken));
        using (var kept = await Send(gateway.Http, HttpMethod.Get, $"/v1/responses/{id}", key, null))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        clock.Advance(TimeSpan.FromDays(1.5));
        await maintenance.PurgeAsync(TestContext.Current.CancellationToken);
        using var expired = await Send(gateway.Http, HttpMethod.Get, $"/v1/responses/{id}", key, null);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
    }

    [Fact]
    public void RetentionPeriod_DefaultsTo30Days_AndRejectsNonsense()
    {
        Assert.Equal(TimeSpan.FromDays(30), ResponseStoreOptions.FromConfig(LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml(Yaml("sqlite_path: x.db"))).Retention);
        Assert.Equal(TimeSpan.FromHours(12), ResponseStoreOptions.FromConfig(LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml(Yaml("sqlite_path: x.db", "response_retention_period: 12h"))).Retention);
        Assert.Throws<InvalidOperationException>(() => ResponseStoreOptions.FromConfig(LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml(Yaml("sqlite_path: x.db", "response_retention_period: soon"))));
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    private static async Task<string> CreateAsync(HttpClient http, string key, string body, bool stream = false)
    {
        using var response = await Send(http, HttpMethod.Post, "/v1/responses", key, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, text);
        if (stream)
        {
            var completed = ResponsesBridgeTests.Events(text).Single(e => e.Type == "response.completed");
            return completed.Data.GetProperty("response").GetProperty("id").GetString()!;
        }

        return System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }
}
