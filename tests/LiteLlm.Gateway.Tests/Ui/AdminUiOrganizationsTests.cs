using System.Net;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The organizations pages in real headless Chromium, each change checked through <c>/organization/*</c>.</summary>
[Collection("Gateway load")]
public sealed class AdminUiOrganizationsTests : IDisposable
{
    private const string Master = AdminUiBrowserTests.Master;
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uiorgs-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Organizations_CreateEditLimitsMembersTeams_OrgAdminManages_OutsiderRefused()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db));
        var http = gateway.Http;
        var carol = await AdminUiManageTests.UserKeyAsync(http, "carol");
        var outsider = await AdminUiManageTests.UserKeyAsync(http, "erin");
        using var browser = new Browser(gateway.Address);
        browser.SignIn(Master);

        browser.Open("/ui/organizations");
        browser.Type("#organization_id", "o-ui");
        browser.Type("#organization_alias", "Acme");
        browser.Type("#models", "priced");
        browser.Type("#max_budget", "10");
        browser.Type("#budget_duration", "30d");
        browser.Type("#rpm_limit", "100");
        browser.Submit("#create-org");
        Assert.Equal("Organization created.", browser.Text("#flash"));
        var row = browser.Find("tr[data-org='o-ui']").Text;
        Assert.Contains("Acme", row, StringComparison.Ordinal);
        Assert.Contains("10 / 30d", row, StringComparison.Ordinal);
        Assert.Contains("100 /", row, StringComparison.Ordinal);

        // Limits, then members: carol as org_admin, dave as a user (then removed).
        browser.Submit("tr[data-org='o-ui'] a.edit");
        browser.Type("#rpm_limit", "50");
        browser.Submit("#save-org");
        Assert.Equal("Organization updated.", browser.Text("#flash"));
        Assert.Equal("50", browser.Find("#rpm_limit").GetAttribute("value"));
        browser.Type("#add-member #user_id", "carol");
        browser.Find("#role option[value='org_admin']").Click();
        browser.Submit("#add");
        browser.Type("#add-member #user_id", "dave");
        browser.Submit("#add");
        Assert.Equal("org_admin", browser.Text("#members tr[data-user='carol'] .role"));
        Assert.Equal("internal_user", browser.Text("#members tr[data-user='dave'] .role"));
        browser.Submit("#members tr[data-user='dave'] button[value='remove']");
        Assert.Equal("Member removed.", browser.Text("#flash"));
        Assert.Empty(browser.All("#members tr[data-user='dave']"));

        // A team inside it must fit its limits (the API's 400); one that fits is listed on the page.
        using (var tooBig = await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-big","organization_id":"o-ui","rpm_limit":80}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        }

        using (var fits = await Send(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-org","team_alias":"Org team","organization_id":"o-ui","rpm_limit":20}"""))
        {
            Assert.True(fits.IsSuccessStatusCode);
        }

        browser.Open("/ui/organizations/edit?organization_id=o-ui");
        Assert.Contains("t-org Org team", browser.Text("#org-teams"), StringComparison.Ordinal);
        browser.Screenshot("organization");
        browser.Open("/ui/organizations");
        browser.Screenshot("organizations");
        using (var info = await Send(http, HttpMethod.Get, "/organization/info?organization_id=o-ui", Master, null))
        {
            var org = await Json(info);
            Assert.Equal(50, org.GetProperty("rpm_limit").GetInt32());
            var member = Assert.Single(org.GetProperty("members").EnumerateArray());
            Assert.Equal("carol", member.GetProperty("user_id").GetString());
            Assert.Equal("org_admin", member.GetProperty("user_role").GetString());
        }

        // carol (org_admin) sees and manages her organization; erin, outside it, sees none and is refused.
        using var carolBrowser = new Browser(gateway.Address);
        carolBrowser.SignIn(carol);
        carolBrowser.Open("/ui/organizations");
        Assert.Equal("o-ui", Assert.Single(carolBrowser.All("#orgs tbody tr")).GetAttribute("data-org"));
        Assert.Empty(carolBrowser.All("#create-org"));
        carolBrowser.Open("/ui/organizations/edit?organization_id=o-ui");
        carolBrowser.Type("#add-member #user_id", "frank");
        carolBrowser.Submit("#add");
        Assert.Equal("Member added.", carolBrowser.Text("#flash"));
        Assert.Equal("internal_user", carolBrowser.Text("#members tr[data-user='frank'] .role"));

        using var erinBrowser = new Browser(gateway.Address);
        erinBrowser.SignIn(outsider);
        erinBrowser.Open("/ui/organizations");
        Assert.Empty(erinBrowser.All("#orgs tbody tr"));
        erinBrowser.Open("/ui/organizations/edit?organization_id=o-ui");
        Assert.Contains("membership of this organization", erinBrowser.Text("#error"), StringComparison.Ordinal);
        Assert.Empty(erinBrowser.All("#members"));

        // Deleting it leaves its team, outside any organization.
        browser.Open("/ui/organizations/edit?organization_id=o-ui");
        browser.Submit("button[value='delete']");
        Assert.StartsWith("Organization deleted", browser.Text("#flash"), StringComparison.Ordinal);
        Assert.Empty(browser.All("tr[data-org='o-ui']"));
        using var team = await Send(http, HttpMethod.Get, "/team/info?team_id=t-org", Master, null);
        Assert.Equal(HttpStatusCode.OK, team.StatusCode);
    }

    public void Dispose() => File.Delete(_db);
}
