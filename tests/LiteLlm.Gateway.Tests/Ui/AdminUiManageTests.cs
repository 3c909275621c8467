using System.Net;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The keys, teams and users pages in real headless Chromium, each change checked through the management API behind it.</summary>
[Collection("Gateway load")]
public sealed class AdminUiManageTests : IDisposable
{
    private const string Master = AdminUiBrowserTests.Master;
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uimanage-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Keys_PageAndSearch_Edit_Regenerate_BlockAndUnblock()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db));
        var http = gateway.Http;
        for (var i = 0; i < 22; i++)
        {
            await GenerateKeyAsync(http, Master, $$"""{"key_alias":"bulk-{{i:00}}"}""");
        }

        var old = await GenerateKeyAsync(http, Master, """{"key_alias":"edit-me","models":["priced"]}""");
        using (var before = await Chat(http, old, "gpt-4o-mini"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode); // not one of its models yet
        }

        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);
        browser.Open("/ui/keys");
        Assert.StartsWith("23 keys · page 1 of 2", browser.Text(".pager"), StringComparison.Ordinal);
        Assert.Equal(20, browser.All("#keys tbody tr").Count);
        browser.Submit("#next");
        Assert.Equal(3, browser.All("#keys tbody tr").Count);
        Assert.StartsWith("23 keys · page 2 of 2", browser.Text(".pager"), StringComparison.Ordinal);

        browser.Type("#s-alias", "edit-me");
        browser.Submit("#search-keys");
        Assert.Equal("edit-me", Assert.Single(browser.All("#keys tbody tr")).GetAttribute("data-alias"));
        browser.Screenshot("keys-search");

        // Edit: models, budget and its period, limits, a new expiry.
        browser.Submit("tr[data-alias='edit-me'] a.edit");
        Assert.Equal("priced", browser.Find("#models").GetAttribute("value"));
        browser.Type("#models", "priced, gpt-4o-mini");
        browser.Type("#max_budget", "5");
        browser.Type("#budget_duration", "30d");
        browser.Type("#rpm_limit", "7");
        browser.Type("#tpm_limit", "700");
        browser.Type("#duration", "1d");
        browser.Screenshot("key-edit");
        browser.Submit("#save-key");
        Assert.Equal("Key updated.", browser.Text("#flash"));
        browser.Open("/ui/keys?key_alias=edit-me");
        var row = browser.Find("tr[data-alias='edit-me']").Text;
        Assert.Contains("priced, gpt-4o-mini", row, StringComparison.Ordinal);
        Assert.Contains("5 / 30d", row, StringComparison.Ordinal);
        Assert.Contains("7 / 700", row, StringComparison.Ordinal);
        using (var info = await Send(http, HttpMethod.Get, "/key/info?key=" + old, Master, null))
        {
            var key = (await Json(info)).GetProperty("info");
            Assert.Equal(7, key.GetProperty("rpm_limit").GetInt32());
            Assert.Equal("30d", key.GetProperty("budget_duration").GetString());
            var expires = DateTimeOffset.Parse(key.GetProperty("expires").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(expires, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        }

        using (var after = await Chat(http, old, "gpt-4o-mini"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }

        // A bad value is the API's readable refusal, on the edit page again.
        browser.Submit("tr[data-alias='edit-me'] a.edit");
        browser.Type("#rpm_limit", "lots");
        browser.Submit("#save-key");
        Assert.Contains("Refused:", browser.Text("#flash"), StringComparison.Ordinal);
        Assert.Contains("rpm_limit", browser.Text("#flash"), StringComparison.Ordinal);
        Assert.Contains("/ui/keys/edit", browser.Driver.Url, StringComparison.Ordinal);

        // Regenerate: a new secret, shown once; the old one stops working at once.
        browser.Open("/ui/keys?key_alias=edit-me");
        browser.Submit("tr[data-alias='edit-me'] button[value='regenerate']");
        var fresh = browser.Text("#new-key");
        Assert.StartsWith("sk-", fresh, StringComparison.Ordinal);
        Assert.NotEqual(old, fresh);
        using (var stale = await Chat(http, old, "priced"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        using (var works = await Chat(http, fresh, "priced"))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        // Block, then unblock: the API follows each.
        browser.Submit("tr[data-alias='edit-me'] button[value='block']");
        using (var blocked = await Chat(http, fresh, "priced"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, blocked.StatusCode);
        }

        browser.Submit("tr[data-alias='edit-me'] button[value='unblock']");
        Assert.Equal("Key unblocked.", browser.Text("#flash"));
        using (var again = await Chat(http, fresh, "priced"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }

    [Fact]
    public async Task Users_AndTeams_CreateEditMembersDelete()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db));
        var http = gateway.Http;
        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);

        // A user with a role and a first key (shown once).
        browser.Open("/ui/users");
        browser.Type("#user_id", "carol");
        browser.Type("#user_email", "carol@example.com");
        browser.Find("#user_role option[value='internal_user']").Click();
        browser.Submit("#create-user");
        Assert.Equal("User created.", browser.Text("#flash"));
        var carolKey = browser.Text("#new-key");
        Assert.StartsWith("sk-", carolKey, StringComparison.Ordinal);
        Assert.Equal("internal_user", browser.Text("tr[data-user='carol'] .role"));

        browser.Submit("tr[data-user='carol'] a.edit");
        browser.Find("#user_role option[value='proxy_admin_viewer']").Click();
        browser.Type("#max_budget", "3");
        browser.Submit("#save-user");
        Assert.Equal("User updated.", browser.Text("#flash"));
        Assert.Equal("proxy_admin_viewer", browser.Text("tr[data-user='carol'] .role"));
        using (var info = await Send(http, HttpMethod.Get, "/user/info?user_id=carol", Master, null))
        {
            var user = (await Json(info)).GetProperty("user_info");
            Assert.Equal("proxy_admin_viewer", user.GetProperty("user_role").GetString());
            Assert.Equal(3m, user.GetProperty("max_budget").GetDecimal());
        }

        browser.Screenshot("users");

        // A team with limits; then its limits changed and its members managed.
        browser.Open("/ui/teams");
        browser.Type("#team_id", "t-ui");
        browser.Type("#team_alias", "Research");
        browser.Type("#models", "priced");
        browser.Type("#max_budget", "10");
        browser.Type("#budget_duration", "30d");
        browser.Type("#rpm_limit", "100");
        browser.Type("#tpm_limit", "1000");
        browser.Submit("#create-team");
        Assert.Equal("Team created.", browser.Text("#flash"));
        var row = browser.Find("tr[data-team='t-ui']").Text;
        Assert.Contains("Research", row, StringComparison.Ordinal);
        Assert.Contains("10 / 30d", row, StringComparison.Ordinal);
        Assert.Contains("100 / 1000", row, StringComparison.Ordinal);

        browser.Submit("tr[data-team='t-ui'] a.edit");
        browser.Type("#rpm_limit", "50");
        browser.Submit("#save-team");
        Assert.Equal("Team updated.", browser.Text("#flash"));
        Assert.Equal("50", browser.Find("#rpm_limit").GetAttribute("value"));
        browser.Type("#add-member #user_id", "carol");
        browser.Find("#role option[value='admin']").Click();
        browser.Submit("#add");
        browser.Type("#add-member #user_id", "dave");
        browser.Submit("#add");
        Assert.Equal("admin", browser.Text("#members tr[data-user='carol'] .role"));
        Assert.Equal("user", browser.Text("#members tr[data-user='dave'] .role"));
        browser.Screenshot("team");
        browser.Submit("#members tr[data-user='dave'] button[value='remove']");
        Assert.Equal("Member removed.", browser.Text("#flash"));
        Assert.Empty(browser.All("#members tr[data-user='dave']"));
        using (var info = await Send(http, HttpMethod.Get, "/team/info?team_id=t-ui", Master, null))
        {
            var team = (await Json(info)).GetProperty("team_info");
            Assert.Equal(50, team.GetProperty("rpm_limit").GetInt32());
            var member = Assert.Single(team.GetProperty("members_with_roles").EnumerateArray());
            Assert.Equal("carol", member.GetProperty("user_id").GetString());
            Assert.Equal("admin", member.GetProperty("role").GetString());
        }

        // Deleting the user takes their key with them.
        browser.Open("/ui/users");
        browser.Submit("tr[data-user='carol'] button[value='delete']");
        Assert.Equal("User deleted (with their keys).", browser.Text("#flash"));
        Assert.Empty(browser.All("tr[data-user='carol']"));
        using var gone = await Chat(http, carolKey, "priced");
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }

    [Fact]
    public async Task InternalUser_SeesOnlyTheirOwnKeysSpendTeamsAndAccount()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db));
        var http = gateway.Http;
        var alice = await UserKeyAsync(http, "alice");
        var bob = await UserKeyAsync(http, "bob");
        var bobKey = await GenerateKeyAsync(http, bob, """{"key_alias":"bob-secret"}""");
        foreach (var (team, member) in new[] { ("alices", "alice"), ("bobs", "bob") })
        {
            using var created = await Send(http, HttpMethod.Post, "/team/new", Master, $$"""{"team_id":"{{team}}","members_with_roles":[{"user_id":"{{member}}","role":"user"}]}""");
            Assert.True(created.IsSuccessStatusCode);
        }

        using (var a = await Chat(http, alice, "priced"))
        using (var b = await Chat(http, bob, "priced"))
        using (var c = await Chat(http, bob, "gpt-4o-mini"))
        {
            Assert.True(a.IsSuccessStatusCode && b.IsSuccessStatusCode && c.IsSuccessStatusCode);
        }

        using var browser = new Browser(gateway.Address);
        browser.SignIn(alice);
        browser.OpenUntil("/ui/logs", () => browser.All("#logs tbody tr").Count == 1);
        Assert.Contains("alice", browser.Text("#logs tbody tr"), StringComparison.Ordinal);
        browser.Open("/ui/logs?model=gpt-4o-mini");
        Assert.Empty(browser.All("#logs tbody tr")); // bob's request is not alice's to see
        browser.Open("/ui/dashboard");
        Assert.Equal("1", browser.Text("#total-requests"));
        browser.Open("/ui/users");
        Assert.Equal("Your account", browser.Text("h1"));
        Assert.Equal("alice", Assert.Single(browser.All("#users tbody tr")).GetAttribute("data-user"));
        Assert.Empty(browser.All("#create-user"));
        browser.Open("/ui/teams");
        Assert.Equal("alices", Assert.Single(browser.All("#teams tbody tr")).GetAttribute("data-team"));
        browser.Open("/ui/teams/edit?team_id=bobs");
        Assert.Contains("proxy_admin", browser.Text("#error"), StringComparison.Ordinal);
        browser.Open("/ui/keys/edit?key=" + bobKey);
        Assert.Contains("proxy_admin", browser.Text("#error"), StringComparison.Ordinal);
        Assert.DoesNotContain("bob-secret", browser.Driver.PageSource, StringComparison.Ordinal);
        browser.Screenshot("users-internal-user");

        // The endpoints behind those pages answer alice the same way.
        using (var users = await Send(http, HttpMethod.Get, "/user/list", alice, null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        }

        using (var logs = await Send(http, HttpMethod.Get, "/spend/logs?user_id=bob", alice, null))
        {
            var rows = (await Json(logs)).GetProperty("data").EnumerateArray().ToList();
            Assert.Single(rows);
            Assert.All(rows, r => Assert.Equal("alice", r.GetProperty("user").GetString()));
        }

        using (var team = await Send(http, HttpMethod.Get, "/team/info?team_id=bobs", alice, null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, team.StatusCode);
        }
    }

    public void Dispose() => File.Delete(_db);

    internal static async Task<string> UserKeyAsync(HttpClient http, string userId)
    {
        using var response = await Send(http, HttpMethod.Post, "/user/new", Master, $$"""{"user_id":"{{userId}}","user_role":"internal_user"}""");
        var json = await Json(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("key").GetString()!;
    }
}
