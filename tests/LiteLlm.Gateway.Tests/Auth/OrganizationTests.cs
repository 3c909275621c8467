using System.Net;
using System.Text.Json;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// LiteLLM's organizations through the real gateway, on SQLite and on a real PostgreSQL: the endpoints' shapes, members
/// and their roles, a team bounded by its organization when created or changed (400 naming the field), and the
/// organization's models, budget and rpm enforced on its teams' keys at request time.
/// </summary>
[Collection("Gateway load")]
public sealed class OrganizationTests : IDisposable
{
    private const string Master = "sk-master-orgs-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-orgs-{Guid.NewGuid():N}.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string storage) => $$"""
        model_list:
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello"}
          - model_name: priced
            litellm_params: {model: mock/priced, mock_response: "four words of answer", input_cost_per_token: 0.001, output_cost_per_token: 0.002}
          - model_name: other
            litellm_params: {model: mock/other, mock_response: "other"}
        general_settings:
          master_key: {{Master}}
          {{storage}}
        """;

    [Fact]
    public Task Sqlite_OrganizationsBoundTheirTeams() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_OrganizationsBoundTheirTeams()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(storage));
        var http = gateway.Http;

        // /organization/new: LiteLLM_OrganizationTable with its budget row.
        var org = await Ok(http, HttpMethod.Post, "/organization/new", Master, """{"organization_id":"o-acme","organization_alias":"Acme","models":["priced","gpt-4o-mini"],"max_budget":0.012,"tpm_limit":1000,"metadata":{"region":"eu"}}""");
        foreach (var field in new[] { "organization_id", "organization_alias", "budget_id", "metadata", "models", "spend", "model_spend", "created_at", "created_by", "updated_at", "updated_by", "litellm_budget_table", "members", "teams" })
        {
            Assert.True(org.TryGetProperty(field, out _), "missing " + field + " in " + org);
        }

        Assert.Equal("Acme", org.GetProperty("organization_alias").GetString());
        Assert.Equal(0.012m, org.GetProperty("litellm_budget_table").GetProperty("max_budget").GetDecimal());
        Assert.Equal(1000, org.GetProperty("litellm_budget_table").GetProperty("tpm_limit").GetInt64());
        Assert.Equal("eu", org.GetProperty("metadata").GetProperty("region").GetString());
        var generated = await Ok(http, HttpMethod.Post, "/organization/new", Master, """{"organization_alias":"Generated id"}""");
        Assert.Equal(36, generated.GetProperty("organization_id").GetString()!.Length);
        await Refused(http, HttpMethod.Post, "/organization/new", """{"organization_id":"o-acme"}""", HttpStatusCode.BadRequest, "organization_id", Master);

        // A team inside it is bounded at write time, as LiteLLM does: a 400 naming the field.
        await Refused(http, HttpMethod.Post, "/team/new", """{"team_id":"t-x","organization_id":"o-acme","models":["other"]}""", HttpStatusCode.BadRequest, "models", Master);
        var overBudget = await Refused(http, HttpMethod.Post, "/team/new", """{"team_id":"t-x","organization_id":"o-acme","max_budget":100}""", HttpStatusCode.BadRequest, "max_budget", Master);
        Assert.Equal("Team max_budget (100.0) exceeds organization's max_budget (0.012).", overBudget);
        await Refused(http, HttpMethod.Post, "/team/new", """{"team_id":"t-x","organization_id":"o-acme","tpm_limit":5000}""", HttpStatusCode.BadRequest, "tpm_limit", Master);
        await Refused(http, HttpMethod.Post, "/team/new", """{"team_id":"t-x","organization_id":"o-missing"}""", HttpStatusCode.BadRequest, "organization_id", Master);
        var team = await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-acme","organization_id":"o-acme","models":["priced","gpt-4o-mini"],"max_budget":0.01}""");
        Assert.Equal("o-acme", team.GetProperty("organization_id").GetString());
        await Refused(http, HttpMethod.Post, "/team/update", """{"team_id":"t-acme","max_budget":1}""", HttpStatusCode.BadRequest, "max_budget", Master);

        // Members: unknown users are created; org_admin manages members and creates teams in its organization only.
        var added = await Ok(http, HttpMethod.Post, "/organization/member_add", Master, """{"organization_id":"o-acme","member":[{"role":"org_admin","user_id":"olga"},{"role":"internal_user","user_email":"ivan@example.com"}]}""");
        Assert.Equal("o-acme", added.GetProperty("organization_id").GetString());
        Assert.Equal(2, added.GetProperty("updated_users").GetArrayLength());
        var membership = added.GetProperty("updated_organization_memberships")[0];
        Assert.Equal("org_admin", membership.GetProperty("user_role").GetString());
        Assert.Equal("olga", membership.GetProperty("user_id").GetString());
        await Refused(http, HttpMethod.Post, "/organization/member_add", """{"organization_id":"o-acme","member":{"role":"proxy_admin","user_id":"x"}}""", HttpStatusCode.BadRequest, "member.role", Master);
        var olga = await GenerateKeyAsync(http, Master, """{"user_id":"olga"}""");
        await Ok(http, HttpMethod.Post, "/team/new", olga, """{"team_id":"t-olga","organization_id":"o-acme"}""");
        await Ok(http, HttpMethod.Post, "/team/update", olga, """{"team_id":"t-acme","team_alias":"Acme search"}""");
        await Refused(http, HttpMethod.Post, "/team/new", """{"team_id":"t-nope"}""", HttpStatusCode.Forbidden, null, olga);
        var updatedMember = await Ok(http, HttpMethod.Patch, "/organization/member_update", olga, """{"organization_id":"o-acme","user_email":"ivan@example.com","role":"internal_user_viewer"}""");
        Assert.Equal("internal_user_viewer", updatedMember.GetProperty("user_role").GetString());

        // /organization/info (GET and LiteLLM's older POST), /organization/list, /organization/update.
        var info = await Ok(http, HttpMethod.Get, "/organization/info?organization_id=o-acme", olga, null);
        Assert.Equal(2, info.GetProperty("members").GetArrayLength());
        Assert.Equal(["t-acme", "t-olga"], info.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("team_id").GetString()).Order(StringComparer.Ordinal));
        var many = await Ok(http, HttpMethod.Post, "/organization/info", Master, """{"organizations":["o-acme"]}""");
        Assert.Equal("o-acme", many[0].GetProperty("organization_id").GetString());
        Assert.Equal(2, (await Ok(http, HttpMethod.Get, "/organization/list", Master, null)).GetArrayLength());
        Assert.Equal(["o-acme"], (await Ok(http, HttpMethod.Get, "/organization/list", olga, null)).EnumerateArray().Select(o => o.GetProperty("organization_id").GetString()));
        var renamed = await Ok(http, HttpMethod.Patch, "/organization/update", Master, """{"organization_id":"o-acme","organization_alias":"Acme Inc"}""");
        Assert.Equal("Acme Inc", renamed.GetProperty("organization_alias").GetString());
        Assert.Equal(0.012m, renamed.GetProperty("max_budget").GetDecimal());

        // At request time: the organization's models bound its team's keys (listing included), and its budget is shared.
        var key = await GenerateKeyAsync(http, Master, """{"team_id":"t-olga"}""");
        var models = await Ok(http, HttpMethod.Get, "/v1/models", key, null);
        Assert.Equal(["gpt-4o-mini", "priced"], models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        using (var other = await Chat(http, key, "other"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Contains("organization 'o-acme'", (await Json(other)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Each priced call costs 0.011; the budget 0.012 admits the first, then the second on what is left, then refuses.
        var sibling = await GenerateKeyAsync(http, Master, """{"team_id":"t-acme"}""");
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "priced")).StatusCode);
        await WaitForOrgSpendAsync(http, "o-acme", 0.011m);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, sibling, "priced")).StatusCode);
        await WaitForOrgSpendAsync(http, "o-acme", 0.022m);
        using (var over = await Chat(http, key, "priced"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
            var error = (await Json(over)).GetProperty("error");
            Assert.Equal("budget_exceeded", error.GetProperty("code").GetString());
            Assert.Equal("Budget has been exceeded! Organization=o-acme Current cost: 0.022, Max budget: 0.012", error.GetProperty("message").GetString());
        }

        // The organization's rpm is shared by all its teams' keys.
        await Ok(http, HttpMethod.Post, "/organization/new", Master, """{"organization_id":"o-slow","rpm_limit":1}""");
        await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-slow-1","organization_id":"o-slow"}""");
        await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-slow-2","organization_id":"o-slow"}""");
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, await GenerateKeyAsync(http, Master, """{"team_id":"t-slow-1"}"""), "gpt-4o-mini")).StatusCode);
        using (var limited = await Chat(http, await GenerateKeyAsync(http, Master, """{"team_id":"t-slow-2"}"""), "gpt-4o-mini"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Contains("organization 'o-slow'", (await Json(limited)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // member_delete, then delete: the organization goes, its teams stay outside any organization.
        var removed = await Ok(http, HttpMethod.Delete, "/organization/member_delete", Master, """{"organization_id":"o-acme","user_id":"olga"}""");
        Assert.Equal("olga", removed.GetProperty("user_id").GetString());
        await Refused(http, HttpMethod.Get, "/organization/info?organization_id=o-acme", null, HttpStatusCode.Forbidden, null, olga);
        var deleted = await Ok(http, HttpMethod.Delete, "/organization/delete", Master, """{"organization_ids":["o-acme"]}""");
        Assert.Equal("o-acme", deleted[0].GetProperty("organization_id").GetString());
        await Refused(http, HttpMethod.Get, "/organization/info?organization_id=o-acme", null, HttpStatusCode.NotFound, "organization_id", Master);
        var orphan = await Ok(http, HttpMethod.Get, "/team/info?team_id=t-acme", Master, null);
        Assert.Equal(JsonValueKind.Null, orphan.GetProperty("team_info").GetProperty("organization_id").ValueKind);
    }

    [Theory]
    [InlineData("/organization/new", """{"max_budget":"lots"}""", "max_budget")]
    [InlineData("/organization/new", """{"models":"priced"}""", "models")]
    [InlineData("/organization/new", """{"rpm_limit":-1}""", "rpm_limit")]
    [InlineData("/organization/new", """{"budget_duration":"fortnight"}""", "budget_duration")]
    [InlineData("/organization/new", """{"organisation_alias":"typo"}""", "organisation_alias")]
    [InlineData("/organization/new", """{"soft_budget":5}""", "soft_budget")]
    [InlineData("/organization/update", """{"organization_id":7}""", "organization_id")]
    [InlineData("/organization/delete", """{"organization_ids":"o1"}""", "organization_ids")]
    [InlineData("/organization/info", """{"organizations":[1]}""", "organizations")]
    [InlineData("/organization/member_add", """{"organization_id":"o1","member":{"role":"internal_user"}}""", "member.user_id")]
    [InlineData("/organization/member_add", """{"organization_id":"o1","member":{"role":"internal_user","user_id":"u","budget":3}}""", "member.budget")]
    [InlineData("/organization/member_update", """{"organization_id":"o1","user_id":"u","role":"owner"}""", "role")]
    [InlineData("/team/new", """{"organization_id":["o1"]}""", "organization_id")]
    public async Task BadInput_IsA400NamingTheField(string path, string body, string field)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        await Ok(gateway.Http, HttpMethod.Post, "/organization/new", Master, """{"organization_id":"o1"}""");
        var message = await Refused(gateway.Http, HttpMethod.Post, path, body, HttpStatusCode.BadRequest, field, Master);
        Assert.Contains(field, message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    /// <summary>Waits until the organization's spend (written off the request path in batches) reaches <paramref name="spend"/>.</summary>
    private static Task WaitForOrgSpendAsync(HttpClient http, string orgId, decimal spend)
        => WaitForAsync(async () => (await Ok(http, HttpMethod.Get, "/organization/info?organization_id=" + orgId, Master, null)).GetProperty("spend").GetDecimal() >= spend - 0.0000001m);
}
