using System.Globalization;
using System.Net;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The admin UI in real headless Chromium against a real Kestrel gateway on SQLite with mock models.</summary>
[Collection("Gateway load")]
public sealed class AdminUiBrowserTests : IDisposable
{
    public const string Master = "sk-master-ui-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-ui-{Guid.NewGuid():N}.db");

    public static string Yaml(string db, string extra = "") => $$"""
        model_list:
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello"}
        general_settings:
          master_key: {{Master}}
          sqlite_path: {{db}}
        {{extra}}
        """;

    [Fact]
    public async Task MasterKey_CreatesBudgetKey_SeesItsRequestAndCost_ThenBlocksIt()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(_db));
        using var browser = new Browser(gateway.Address);

        // Unsigned visitors land on the sign-in page; a wrong key is an error message, not a stack trace.
        browser.Open("/ui/keys");
        Assert.EndsWith("/ui/login", browser.Driver.Url, StringComparison.Ordinal);
        browser.Screenshot("login");
        browser.SignIn("sk-not-a-real-key-42");
        Assert.Contains("Sign-in refused: Invalid API key.", browser.Text("#error"), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", browser.Driver.PageSource, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", browser.Driver.PageSource, StringComparison.Ordinal);
        browser.Screenshot("login-error");

        browser.SignIn(Master);
        Assert.EndsWith("/ui/dashboard", browser.Driver.Url, StringComparison.Ordinal);
        Assert.Contains("master key (proxy_admin)", browser.Text("#who"), StringComparison.Ordinal);
        var cookie = browser.Driver.Manage().Cookies.GetCookieNamed("litellm_ui_session");
        Assert.NotNull(cookie);
        Assert.True(cookie.IsHttpOnly);
        Assert.Equal("Strict", cookie.SameSite);
        Assert.DoesNotContain(Master, cookie.Value, StringComparison.Ordinal);
        Assert.Equal(0L, browser.Driver.ExecuteScript("return window.localStorage.length + window.sessionStorage.length;"));

        // Create a key with a $0.01 budget: its secret is shown once.
        browser.Open("/ui/keys");
        browser.Type("#key_alias", "ui-budget");
        browser.Type("#models", "priced");
        browser.Type("#max_budget", "0.01");
        browser.Type("#duration", "30d");
        browser.Type("#rpm_limit", "60");
        browser.Type("#tpm_limit", "100000");
        browser.Submit("#create-key");
        var key = browser.Text("#new-key");
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        var row = browser.Find("tr[data-alias='ui-budget']").Text;
        Assert.Contains("priced", row, StringComparison.Ordinal);
        Assert.Contains("0.01", row, StringComparison.Ordinal);
        Assert.Contains("60 / 100000", row, StringComparison.Ordinal);
        browser.Screenshot("keys");
        browser.Open("/ui/keys");
        Assert.Empty(browser.All("#new-key"));
        Assert.DoesNotContain(key, browser.Driver.PageSource, StringComparison.Ordinal);

        // The key calls the API; its request and cost show in the logs and on the dashboard.
        using var first = await Chat(gateway.Http, key, "priced");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var cost = CostOf(first);
        Assert.True(cost > 0.01m, $"the mock's cost {cost} should exceed the budget, so the next request is refused");
        using var other = await Chat(gateway.Http, Master, "gpt-4o-mini");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var money = "$" + cost.ToString("0.######", CultureInfo.InvariantCulture);
        browser.OpenUntil("/ui/logs?model=priced", () => browser.All("#logs tbody tr").Count == 1);
        var logRow = browser.Text("#logs tbody tr");
        Assert.Contains("priced", logRow, StringComparison.Ordinal);
        Assert.Contains(money, logRow, StringComparison.Ordinal);
        browser.Open("/ui/logs");
        Assert.Equal(2, browser.All("#logs tbody tr").Count);
        browser.Screenshot("logs");

        browser.Open("/ui/dashboard");
        var byModel = browser.All("#by-model tbody tr").Select(r => r.Text).ToList();
        Assert.Contains(byModel, r => r.StartsWith("priced 1 " + money, StringComparison.Ordinal));
        Assert.Equal("2", browser.Text("#total-requests"));
        Assert.Contains(browser.All("#chart-spend rect title"), t => t.GetAttribute("textContent")!.Contains("priced: " + money, StringComparison.Ordinal));
        Assert.Contains(browser.All("#chart-requests rect title"), t => t.GetAttribute("textContent")!.EndsWith("priced: 1", StringComparison.Ordinal));
        browser.Screenshot("dashboard");

        // Models: every deployment with its price; health on demand.
        browser.Open("/ui/models");
        Assert.Contains("$1000", browser.Find("#models tr[data-model='priced']").Text, StringComparison.Ordinal);
        Assert.Contains("not checked", browser.Find("#models tr[data-model='priced'] .health").Text, StringComparison.Ordinal);
        browser.Submit("#check-health");
        Assert.All(browser.All("#models .health"), h => Assert.StartsWith("healthy (", h.Text, StringComparison.Ordinal));
        Assert.Equal(2, browser.All("#models tbody tr").Count);
        browser.Screenshot("models");

        // The budget is spent: the API refuses the key. Then the admin blocks it: the API refuses it as invalid.
        using var over = await Chat(gateway.Http, key, "priced");
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains("budget_exceeded", await over.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        browser.Open("/ui/keys");
        browser.Submit("tr[data-alias='ui-budget'] button[value='block']");
        Assert.Equal("Key blocked.", browser.Text("#flash"));
        Assert.Contains("blocked", browser.Find("tr[data-alias='ui-budget']").Text, StringComparison.Ordinal);
        using var refused = await Chat(gateway.Http, key, "priced");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // Signing out ends the session: the pages need a sign-in again.
        browser.Submit("#signout");
        Assert.EndsWith("/ui/login", browser.Driver.Url, StringComparison.Ordinal);
        browser.Open("/ui/keys");
        Assert.EndsWith("/ui/login", browser.Driver.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InternalUser_SeesAndCreatesOnlyTheirOwnKeys()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(_db));
        var http = gateway.Http;
        var alice = await AdminUiManageTests.UserKeyAsync(http, "alice");
        var bob = await AdminUiManageTests.UserKeyAsync(http, "bob");
        await GenerateKeyAsync(http, bob, """{"key_alias":"bob-secret"}""");
        await GenerateKeyAsync(http, Master, """{"key_alias":"admin-key"}""");

        using var browser = new Browser(gateway.Address);
        browser.SignIn(alice);
        Assert.Contains("alice (internal_user)", browser.Text("#who"), StringComparison.Ordinal);
        browser.Open("/ui/keys");
        browser.Type("#key_alias", "alice-own");
        browser.Submit("#create-key");
        Assert.Equal("Key created.", browser.Text("#flash"));
        var aliases = browser.All("#keys tbody tr").Select(r => r.GetAttribute("data-alias")).ToList();
        Assert.Contains("alice-own", aliases);
        Assert.DoesNotContain("bob-secret", aliases);
        Assert.DoesNotContain("admin-key", aliases);
        Assert.All(browser.All("#keys tbody tr"), r => Assert.Contains("alice", r.Text, StringComparison.Ordinal));
        Assert.Empty(browser.All("button[value='block']")); // blocking is the admin's
        browser.Screenshot("keys-internal-user");

        // The endpoint behind the page refuses the same question.
        using var list = await Send(http, HttpMethod.Get, "/key/list?user_id=bob", alice, null);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    [Fact]
    public async Task FormWithoutAntiforgeryToken_IsRefused()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(_db));
        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);
        browser.Open("/ui/keys");
        browser.Driver.ExecuteScript("document.querySelector('#create input[name=__RequestVerificationToken]').remove();");
        browser.Type("#key_alias", "forged");
        browser.Submit("#create-key");
        Assert.Contains("anti-forgery token is missing or invalid", browser.Text("#error"), StringComparison.Ordinal);
        using var list = await Send(gateway.Http, HttpMethod.Get, "/key/list?key_alias=forged", Master, null);
        Assert.Equal(0, (await Json(list)).GetProperty("total_count").GetInt32());

        // With the token the same form works (so the refusal above was the token's).
        browser.Open("/ui/keys");
        browser.Type("#key_alias", "genuine");
        browser.Submit("#create-key");
        Assert.Equal("Key created.", browser.Text("#flash"));
    }

    public void Dispose() => File.Delete(_db);
}
