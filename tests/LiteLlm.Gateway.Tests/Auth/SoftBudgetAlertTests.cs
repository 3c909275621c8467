using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// soft_budget alerts through the real gateway, on SQLite and PostgreSQL: with <c>alerting: ["webhook"]</c> a loopback
/// webhook receives a Slack-compatible <c>{"text": ...}</c> exactly once per budget window when a key's (or a
/// customer's) spend crosses its soft budget, and the requests themselves are never refused for it.
/// </summary>
[Collection("Gateway load")]
public sealed class SoftBudgetAlertTests : IDisposable
{
    private const string Master = "sk-master-soft-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-soft-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Sqlite_SoftBudgetAlertsOncePerWindow() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_SoftBudgetAlertsOncePerWindow()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        var received = new ConcurrentQueue<JsonElement>();
        var hookBuilder = WebApplication.CreateSlimBuilder();
        hookBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        hookBuilder.Logging.ClearProviders();
        await using var hook = hookBuilder.Build();
        hook.MapPost("/hook", async (HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            received.Enqueue(document.RootElement.Clone());
            return Results.Ok();
        });
        await hook.StartAsync(Ct);
        var hookUrl = hook.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        await using var gateway = await GatewayHost.StartAsync(yaml: $$"""
            model_list:
              - model_name: priced
                litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
            general_settings:
              master_key: {{Master}}
              {{storage}}
              alerting: ["webhook"]
              alert_to_webhook_url: {budget_alerts: "{{hookUrl}}"}
            """);
        var http = gateway.Http;

        // A key with soft_budget 0.015 in a 30-day window: 0.011 per call, so the second call crosses it. No call is refused.
        var generated = await Ok(http, HttpMethod.Post, "/key/generate", Master, """{"key_alias":"search-bot","soft_budget":0.015,"budget_duration":"30d"}""");
        Assert.Equal(0.015m, generated.GetProperty("soft_budget").GetDecimal());
        var key = generated.GetProperty("key").GetString()!;
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced")).StatusCode);
            var expected = 0.011m * i;
            await WaitForAsync(async () => (await Ok(http, HttpMethod.Get, "/key/info?key=" + key, Master, null)).GetProperty("info").GetProperty("spend").GetDecimal() >= expected - 0.0000001m);
            if (i == 1)
            {
                await Task.Delay(300, Ct);
                Assert.Empty(received); // below the soft budget: nothing
            }
        }

        await WaitForAsync(() => Task.FromResult(!received.IsEmpty));

        // A customer's soft budget (the request's user), crossed by a master-key call.
        await Ok(http, HttpMethod.Post, "/customer/new", Master, """{"user_id":"cust-s","soft_budget":0.005}""");
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, Master, "priced", ",\"user\":\"cust-s\"")).StatusCode);
        await WaitForAsync(() => Task.FromResult(received.Count >= 2));
        await Task.Delay(500, Ct); // anything more would have arrived by now

        var alerts = received.ToArray();
        Assert.Equal(2, alerts.Length);
        var keyAlert = alerts.Single(a => a.GetProperty("event_group").GetString() == "key");
        Assert.Equal("soft_budget_crossed", keyAlert.GetProperty("event").GetString());
        Assert.Contains("search-bot", keyAlert.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.022m, Math.Round(keyAlert.GetProperty("spend").GetDecimal(), 6));
        var customerAlert = alerts.Single(a => a.GetProperty("event_group").GetString() == "customer");
        Assert.Equal("cust-s", customerAlert.GetProperty("customer_id").GetString());
        Assert.StartsWith("Soft budget crossed: customer cust-s", customerAlert.GetProperty("text").GetString(), StringComparison.Ordinal);
        await hook.StopAsync(Ct);
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }
}
