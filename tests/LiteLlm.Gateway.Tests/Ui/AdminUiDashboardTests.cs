using System.Globalization;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The dashboard in real headless Chromium: day/hour switch, by model/key/team, error rate, top spenders, desktop and phone widths.</summary>
[Collection("Gateway load")]
public sealed class AdminUiDashboardTests : IDisposable
{
    private const string Master = AdminUiBrowserTests.Master;
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uidash-{Guid.NewGuid():N}.db");

    private string Yaml => $$"""
        model_list:
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello", input_cost_per_token: 0.0001, output_cost_per_token: 0.0001}
          - model_name: broken
            litellm_params: {model: mock/broken, mock_response: "litellm.InternalServerError"}
        router_settings:
          num_retries: 0
        general_settings:
          master_key: {{Master}}
          sqlite_path: {{_db}}
        """;

    [Fact]
    public async Task Dashboard_SwitchesPeriodAndGrouping_ShowsErrorRateAndTopSpenders_OnDesktopAndPhone()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml);
        var http = gateway.Http;
        using (var team = await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-dash","team_alias":"Dash team"}"""))
        {
            Assert.True(team.IsSuccessStatusCode);
        }

        var teamKey = await GenerateKeyAsync(http, Master, """{"key_alias":"dash-key","team_id":"t-dash"}""");
        var solo = await GenerateKeyAsync(http, Master, """{"key_alias":"solo"}""");
        foreach (var (key, model) in new[] { (teamKey, "priced"), (teamKey, "priced"), (solo, "gpt-4o-mini"), (solo, "broken") })
        {
            using var response = await Chat(http, key, model);
            Assert.Equal(model != "broken", response.IsSuccessStatusCode);
        }

        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);

        // Hours: one bucket per hour, from the log rows; the failed request counts in the error rate.
        browser.OpenUntil("/ui/dashboard?period=hour", () => browser.Text("#errors") == "1 of 4 failed");
        Assert.Equal("25%", browser.Text("#error-rate"));
        Assert.Equal("hours", browser.Text("#period-hour.on"));
        var hour = DateTime.UtcNow.ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture);
        Assert.Contains(Titles(browser, "#chart-spend"), t => t.StartsWith(hour + " priced: $", StringComparison.Ordinal));
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == hour + " priced: 2");

        // By key, then by team: the same requests regrouped, keys by alias and teams by name.
        browser.Submit("#group-key");
        Assert.Contains("Spend per hour by key", browser.Driver.PageSource, StringComparison.Ordinal);
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == hour + " dash-key: 2");
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == hour + " solo: 2");
        browser.Submit("#group-team");
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == hour + " Dash team: 2");
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == hour + " (no team): 2");

        // Top spenders: the team's key spent more (priced) than solo.
        var topKeys = Titles(browser, "#top-keys");
        Assert.StartsWith("dash-key: $", topKeys[0], StringComparison.Ordinal);
        Assert.StartsWith("solo: $", topKeys[1], StringComparison.Ordinal);
        Assert.StartsWith("Dash team: $", Titles(browser, "#top-teams")[0], StringComparison.Ordinal);
        browser.Screenshot("dashboard-hourly");

        // Days: the admin's exact daily report, grouped by key too.
        browser.Submit("#period-day");
        Assert.Equal("days", browser.Text("#period-day.on"));
        Assert.Equal("team", browser.Text("#group-team.on"));
        browser.Submit("#group-key");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd 00:00", CultureInfo.InvariantCulture);
        Assert.Contains(Titles(browser, "#chart-spend"), t => t.StartsWith(today + " dash-key: $", StringComparison.Ordinal));
        Assert.Contains(Titles(browser, "#chart-requests"), t => t == today + " dash-key: 2");
        Assert.StartsWith("priced 2 $", browser.All("#by-model tbody tr").First().Text, StringComparison.Ordinal);
        browser.Screenshot("dashboard-daily");

        // A phone: the narrow drawings replace the wide ones (not shrunk), the page still reads.
        // (Emulated through DevTools: a desktop window cannot be made narrower than about 500 px.)
        browser.Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?> { ["width"] = 390, ["height"] = 844, ["deviceScaleFactor"] = 1, ["mobile"] = true });
        browser.Open("/ui/dashboard?period=day&by=model");
        Assert.False(browser.Find("#chart-spend").Displayed);
        Assert.True(browser.Find("#chart-spend-narrow").Displayed);
        Assert.InRange(browser.Find("#chart-spend-narrow").Size.Width, 300, 380);
        Assert.Equal(390L, browser.Driver.ExecuteScript("return document.documentElement.scrollWidth;")); // nothing wider than the phone
        browser.Screenshot("dashboard-phone");
    }

    private static List<string> Titles(Browser browser, string svg)
        => [.. browser.All(svg + " rect title").Select(t => t.GetAttribute("textContent")!)];

    public void Dispose() => File.Delete(_db);
}
