using System.Net;
using System.Text.Json;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Every management route × every role, through the real gateway on SQLite: allowed, or a 403 that names the role needed.</summary>
[Collection("Gateway load")]
public sealed class ManagementRolesTests : IDisposable
{
    private const string Master = "sk-master-roles-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-roles-{Guid.NewGuid():N}.db");

    private static string Yaml(string db) => $$"""
        model_list:
          - model_name: gpt-4o-mini
            litellm_params: {model: mock/gpt-4o-mini, mock_response: "hello"}
        general_settings:
          master_key: {{Master}}
          sqlite_path: {{db}}
          store_model_in_db: true
        """;

    [Fact]
    public async Task EveryRoute_AllowsExactlyItsRoles_AndRefusesOthersWith403NamingTheRole()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(_db));
        var http = gateway.Http;
        await Ok(http, "/team/new", """{"team_id":"t1","team_alias":"One"}""");
        var roles = new Dictionary<string, string>
        {
            ["admin"] = Master,
            ["viewer"] = await UserKeyAsync(http, "viewer", "proxy_admin_viewer"),
            ["internal"] = await UserKeyAsync(http, "alice", "internal_user"),
            ["internal_viewer"] = await UserKeyAsync(http, "bob", "internal_user_viewer"),
            ["team_admin"] = await UserKeyAsync(http, "carol", "internal_user_viewer"),
            ["team_member"] = await UserKeyAsync(http, "dave", "internal_user_viewer"),
            ["org_admin"] = await UserKeyAsync(http, "olga", "internal_user_viewer"),
            ["plain"] = await GenerateKeyAsync(http, Master, "{}"),
        };
        await Ok(http, "/team/member_add", """{"team_id":"t1","member":[{"role":"admin","user_id":"carol"},{"role":"user","user_id":"dave"}]}""");
        await Ok(http, "/user/new", """{"user_id":"zed","auto_create_key":false}""");
        await Ok(http, "/organization/new", """{"organization_id":"o1"}""");
        await Ok(http, "/customer/new", """{"user_id":"c1"}""");
        await Ok(http, "/budget/new", """{"budget_id":"b1"}""");
        await Ok(http, "/organization/member_add", """{"organization_id":"o1","member":{"role":"org_admin","user_id":"olga"}}""");

        // A key owned by a user none of the roles is, made fresh for every check (some checks delete or rotate it).
        async Task<string> ZedKey() => await GenerateKeyAsync(http, Master, """{"user_id":"zed"}""");
        var n = 0;
        string Unique() => "new-" + Interlocked.Increment(ref n);
        string[] all = [.. roles.Keys];
        await Ok(http, "/model/new", """{"model_name":"fixed","litellm_params":{"model":"mock/fixed"},"model_info":{"id":"m-fixed"}}""");
        var deletable = string.Empty;
        string[] readers = ["admin", "viewer"];
        var routes = new List<(string Method, string Path, Func<Task<string?>> Body, string[] Allowed, Func<Task>? Before)>
        {
            ("POST", "/key/generate", () => Task.FromResult<string?>("{}"), ["admin", "internal"], null),
            ("POST", "/key/generate", () => Task.FromResult<string?>("""{"team_id":"t1"}"""), ["admin", "team_admin"], null),
            ("POST", "/key/update", async () => $$"""{"key":"{{await ZedKey()}}","key_alias":"renamed"}""", ["admin"], null),
            ("GET", "/key/info?key=", async () => await ZedKey(), readers, null),
            ("GET", "/key/list", () => Task.FromResult<string?>(null), ["admin", "viewer", "internal", "internal_viewer", "team_admin", "team_member", "org_admin"], null),
            ("POST", "/key/delete", async () => $$"""{"keys":["{{await ZedKey()}}"]}""", ["admin"], null),
            ("POST", "/key/regenerate", async () => $$"""{"key":"{{await ZedKey()}}"}""", ["admin"], null),
            ("POST", "/key/block", async () => $$"""{"key":"{{await ZedKey()}}"}""", ["admin"], null),
            ("POST", "/key/unblock", async () => $$"""{"key":"{{await ZedKey()}}"}""", ["admin"], null),
            ("POST", "/user/new", () => Task.FromResult<string?>($$"""{"user_id":"{{Unique()}}"}"""), ["admin"], null),
            ("GET", "/user/info?user_id=zed", () => Task.FromResult<string?>(null), readers, null),
            ("POST", "/user/update", () => Task.FromResult<string?>("""{"user_id":"zed","user_alias":"Zed"}"""), ["admin"], null),
            ("POST", "/user/delete", () => Task.FromResult<string?>("""{"user_ids":["nobody"]}"""), ["admin"], null),
            ("GET", "/user/list", () => Task.FromResult<string?>(null), readers, null),
            ("POST", "/team/new", () => Task.FromResult<string?>($$"""{"team_id":"{{Unique()}}"}"""), ["admin"], null),
            ("GET", "/team/info?team_id=t1", () => Task.FromResult<string?>(null), ["admin", "viewer", "team_admin", "team_member"], null),
            ("GET", "/team/list", () => Task.FromResult<string?>(null), all, null),
            ("POST", "/team/update", () => Task.FromResult<string?>("""{"team_id":"t1","team_alias":"Uno"}"""), ["admin", "team_admin"], null),
            ("POST", "/team/delete", () => Task.FromResult<string?>("""{"team_ids":["nope"]}"""), ["admin"], null),
            ("POST", "/team/member_add", () => Task.FromResult<string?>("""{"team_id":"t1","member":{"role":"user","user_id":"eve"}}"""), ["admin", "team_admin"], null),
            ("POST", "/team/member_delete", () => Task.FromResult<string?>("""{"team_id":"t1","user_id":"eve"}"""), ["admin", "team_admin"],
                () => Ok(http, "/team/member_add", """{"team_id":"t1","member":{"role":"user","user_id":"eve"}}""")),
            ("GET", "/spend/logs", () => Task.FromResult<string?>(null), all, null),
            ("GET", "/global/spend", () => Task.FromResult<string?>(null), readers, null),
            ("GET", "/global/spend/logs", () => Task.FromResult<string?>(null), readers, null),
            ("GET", "/global/spend/report?start_date=2026-01-01&end_date=2026-01-02", () => Task.FromResult<string?>(null), readers, null),
            ("GET", "/spend/tags", () => Task.FromResult<string?>(null), readers, null),
            ("POST", "/model/new", () => Task.FromResult<string?>($$$"""{"model_name":"{{{Unique()}}}","litellm_params":{"model":"mock/m"}}"""), ["admin"], null),
            ("POST", "/model/update", () => Task.FromResult<string?>("""{"model_info":{"id":"m-fixed"},"litellm_params":{"rpm":5}}"""), ["admin"], null),
            ("PATCH", "/model/m-fixed/update", () => Task.FromResult<string?>("""{"litellm_params":{"rpm":6}}"""), ["admin"], null),
            ("POST", "/model/delete", () => Task.FromResult<string?>($$"""{"id":"{{deletable}}"}"""), ["admin"],
                async () => await Ok(http, "/model/new", $$$"""{"model_name":"gone","litellm_params":{"model":"mock/gone"},"model_info":{"id":"{{{deletable = Unique()}}}"}}""")),
            ("GET", "/model/info", () => Task.FromResult<string?>(null), all, null),
            ("GET", "/v1/models", () => Task.FromResult<string?>(null), all, null),
            ("GET", "/model_group/info", () => Task.FromResult<string?>(null), all, null),
            ("POST", "/organization/new", () => Task.FromResult<string?>($$"""{"organization_id":"{{Unique()}}"}"""), ["admin"], null),
            ("PATCH", "/organization/update", () => Task.FromResult<string?>("""{"organization_id":"o1","organization_alias":"One"}"""), ["admin"], null),
            ("DELETE", "/organization/delete", async () =>
            {
                var id = Unique();
                await Ok(http, "/organization/new", $$"""{"organization_id":"{{id}}"}""");
                return $$"""{"organization_ids":["{{id}}"]}""";
            }, ["admin"], null),
            ("GET", "/organization/list", () => Task.FromResult<string?>(null), all, null),
            ("GET", "/organization/info?organization_id=o1", () => Task.FromResult<string?>(null), ["admin", "viewer", "org_admin"], null),
            ("POST", "/organization/info", () => Task.FromResult<string?>("""{"organizations":["o1"]}"""), ["admin", "viewer", "org_admin"], null),
            ("POST", "/organization/member_add", () => Task.FromResult<string?>("""{"organization_id":"o1","member":{"role":"internal_user","user_id":"eve"}}"""), ["admin", "org_admin"], null),
            ("PATCH", "/organization/member_update", () => Task.FromResult<string?>("""{"organization_id":"o1","user_id":"eve","role":"internal_user_viewer"}"""), ["admin", "org_admin"],
                () => Ok(http, "/organization/member_add", """{"organization_id":"o1","member":{"role":"internal_user","user_id":"eve"}}""")),
            ("DELETE", "/organization/member_delete", () => Task.FromResult<string?>("""{"organization_id":"o1","user_id":"eve"}"""), ["admin", "org_admin"],
                () => Ok(http, "/organization/member_add", """{"organization_id":"o1","member":{"role":"internal_user","user_id":"eve"}}""")),
            ("POST", "/team/new", () => Task.FromResult<string?>($$"""{"team_id":"{{Unique()}}","organization_id":"o1"}"""), ["admin", "org_admin"], null),
            ("POST", "/customer/new", () => Task.FromResult<string?>($$"""{"user_id":"{{Unique()}}"}"""), ["admin"], null),
            ("GET", "/customer/info?end_user_id=c1", () => Task.FromResult<string?>(null), readers, null),
            ("POST", "/customer/update", () => Task.FromResult<string?>("""{"user_id":"c1","alias":"One"}"""), ["admin"], null),
            ("POST", "/customer/delete", async () =>
            {
                var id = Unique();
                await Ok(http, "/customer/new", $$"""{"user_id":"{{id}}"}""");
                return $$"""{"user_ids":["{{id}}"]}""";
            }, ["admin"], null),
            ("GET", "/customer/list", () => Task.FromResult<string?>(null), readers, null),
            ("GET", "/end_user/list", () => Task.FromResult<string?>(null), readers, null),
            ("POST", "/customer/block", () => Task.FromResult<string?>("""{"user_ids":["c2"]}"""), ["admin"], null),
            ("POST", "/end_user/unblock", () => Task.FromResult<string?>("""{"user_ids":["c2"]}"""), ["admin"], null),
            ("POST", "/budget/new", () => Task.FromResult<string?>($$"""{"budget_id":"{{Unique()}}"}"""), ["admin"], null),
            ("POST", "/budget/update", () => Task.FromResult<string?>("""{"budget_id":"b1","max_budget":1}"""), ["admin"], null),
            ("POST", "/budget/delete", async () =>
            {
                var id = Unique();
                await Ok(http, "/budget/new", $$"""{"budget_id":"{{id}}"}""");
                return $$"""{"id":"{{id}}"}""";
            }, ["admin"], null),
            ("POST", "/budget/info", () => Task.FromResult<string?>("""{"budgets":["b1"]}"""), readers, null),
            ("GET", "/budget/list", () => Task.FromResult<string?>(null), readers, null),
        };

        var wrong = new List<string>();
        foreach (var (method, path, body, allowed, before) in routes)
        {
            foreach (var (role, key) in roles)
            {
                if (before is not null)
                {
                    await before();
                }

                var content = await body();
                var (target, payload) = path.EndsWith('=') ? (path + content, null) : (path, content);
                using var response = await Send(http, new HttpMethod(method), target, key, payload);
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                var expectAllowed = allowed.Contains(role);
                if (expectAllowed && response.StatusCode != HttpStatusCode.OK)
                {
                    wrong.Add($"{method} {path} as {role}: expected 200, got {(int)response.StatusCode} {text}");
                }
                else if (!expectAllowed && (response.StatusCode != HttpStatusCode.Forbidden || !text.Contains("requires", StringComparison.Ordinal) || !text.Contains("proxy_admin", StringComparison.Ordinal)))
                {
                    wrong.Add($"{method} {path} as {role}: expected a 403 naming the role, got {(int)response.StatusCode} {text}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    /// <summary>Creates a user with <paramref name="role"/> and returns the key /user/new made for it.</summary>
    private static async Task<string> UserKeyAsync(HttpClient http, string userId, string role)
    {
        var json = await Ok(http, "/user/new", $$"""{"user_id":"{{userId}}","user_role":"{{role}}"}""");
        return json.GetProperty("key").GetString()!;
    }

    private static async Task<JsonElement> Ok(HttpClient http, string path, string body)
    {
        using var response = await Send(http, HttpMethod.Post, path, Master, body);
        var json = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, path + ": " + json);
        return json;
    }
}
