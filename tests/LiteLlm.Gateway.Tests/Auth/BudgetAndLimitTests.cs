using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Token limits, budget windows, budgets that survive a restart, and one budget shared by two gateways over Redis.</summary>
[Collection("Gateway load")]
public sealed class BudgetAndLimitTests : IDisposable
{
    private const string Master = "sk-master-budget-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-limits-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string storage, string extra = "") => $$"""
        model_list:
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002{{extra}}}
        general_settings:
          master_key: {{Master}}
          {{storage}}
        """;

    [Fact]
    public async Task TpmLimit_RefusesOnceTheWindowsTokensReachIt_AndTheNextWindowAdmits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock), yaml: Yaml($"sqlite_path: {_db}"));
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"tpm_limit":25}""");

        var tokens = new List<int>();
        HttpResponseMessage refused = null!;
        for (var i = 0; i < 20; i++)
        {
            var response = await Chat(gateway.Http, key, "priced");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refused = response;
                break;
            }

            tokens.Add((await Json(response)).GetProperty("usage").GetProperty("total_tokens").GetInt32());
        }

        // Every admitted call started below the limit; the refusal came once the counted tokens reached it.
        Assert.NotNull(refused);
        Assert.True(tokens.Sum() >= 25 && tokens.Sum() - tokens[^1] < 25, string.Join(",", tokens));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = (await Json(refused)).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("tokens per minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await Chat(gateway.Http, key, "priced")).StatusCode);
    }

    [Fact]
    public async Task BudgetDuration_ResetsTheBudgetWhenItsWindowTurns()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock), yaml: Yaml($"sqlite_path: {_db}"));
        var key = await GenerateKeyAsync(gateway.Http, Master, """{"max_budget":0.02,"budget_duration":"1d"}""");

        var spent = await SpendUntilRefusedAsync(gateway.Http, key);
        Assert.InRange(spent, 0.0001m, 0.02m + 0.02m);

        clock.Advance(TimeSpan.FromDays(1)); // the next UTC day: a fresh window
        Assert.Equal(HttpStatusCode.OK, (await Chat(gateway.Http, key, "priced")).StatusCode);
    }

    [Fact]
    public async Task TeamBudget_BoundsEveryKeyOfTheTeamTogether()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        using (var team = await Send(gateway.Http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-budget","max_budget":0.03}"""))
        {
            Assert.Equal(HttpStatusCode.OK, team.StatusCode);
        }

        var keys = new[]
        {
            await GenerateKeyAsync(gateway.Http, Master, """{"team_id":"t-budget"}"""),
            await GenerateKeyAsync(gateway.Http, Master, """{"team_id":"t-budget"}"""),
        };

        var spent = 0m;
        var dearest = 0m;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 40 && refused is null; i++)
        {
            var response = await Chat(gateway.Http, keys[i % 2], "priced");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                spent += CostOf(response);
                dearest = Math.Max(dearest, CostOf(response));
            }
            else
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await Json(refused)).GetProperty("error");
        Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
        Assert.Contains("t-budget", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.InRange(spent, 0.0001m, 0.03m + dearest); // the last admitted call may cost more than its estimate

        // The other key of the team is refused too: the budget is the team's, not the key's.
        Assert.Equal(HttpStatusCode.BadRequest, (await Chat(gateway.Http, keys[0], "priced")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Chat(gateway.Http, keys[1], "priced")).StatusCode);
    }

    [Fact]
    public async Task InvalidBudgetDurationOrWrongTypes_AreRefusedWith400()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        foreach (var body in new[] { """{"budget_duration":"fortnight"}""", """{"max_budget":"lots"}""", """{"rpm_limit":"many"}""", """{"models":[1,2]}""" })
        {
            using var response = await Send(gateway.Http, HttpMethod.Post, "/key/generate", Master, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request_error", (await Json(response)).GetProperty("error").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task KeyBudget_SurvivesARestart()
    {
        string key;
        await using (var first = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}")))
        {
            key = await GenerateKeyAsync(first.Http, Master, """{"max_budget":0.02}""");
            await SpendUntilRefusedAsync(first.Http, key);
        }

        // A new process on the same database starts the key's counter from its stored spend.
        await using var second = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        using var response = await Chat(second.Http, key, "priced");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("budget_exceeded", (await Json(response)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task TwoGateways_ShareOneKeyBudgetThroughRedis()
    {
        var redis = SharedRateLimitTests.RedisOrSkip();
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        var yaml = Yaml(database.Storage, ", mock_latency: 20") + $"""

            router_settings:
              redis_host: {redis.Split(':')[0]}
              redis_port: {redis.Split(':')[1]}
            """;
        await using var a = await GatewayHost.StartAsync(yaml: yaml);
        await using var b = await GatewayHost.StartAsync(yaml: yaml);
        const decimal Budget = 0.1m;
        var key = await GenerateKeyAsync(a.Http, Master, string.Create(CultureInfo.InvariantCulture, $$"""{"max_budget":{{Budget}}}"""));

        var responses = await Task.WhenAll(Enumerable.Range(0, 120).Select(i => Chat(i % 2 == 0 ? a.Http : b.Http, key, "priced", ""","max_tokens":10""")));

        // Each gateway alone would admit ~the whole budget; together they must not exceed it by more than one call.
        var costs = responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(CostOf).ToList();
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, r.StatusCode.ToString()));
        Assert.NotEmpty(costs);
        Assert.True(costs.Sum() <= Budget + costs.Max(), $"spent {costs.Sum()} of {Budget} in {costs.Count} requests across two gateways");
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.BadRequest);
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    /// <summary>Sends calls until the budget refuses one; returns what was spent.</summary>
    private static async Task<decimal> SpendUntilRefusedAsync(HttpClient http, string key)
    {
        var spent = 0m;
        for (var i = 0; i < 50; i++)
        {
            using var response = await Chat(http, key, "priced");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Equal("budget_exceeded", (await Json(response)).GetProperty("error").GetProperty("code").GetString());
                return spent;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            spent += CostOf(response);
        }

        Assert.Fail($"The budget never refused; spent {spent}.");
        return spent;
    }
}
