using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// LiteLLM's management API through the real gateway, on SQLite and on a real PostgreSQL: each endpoint's shape field by
/// field, self-service reads, the endpoints LiteLLM has (user/team update, delete, list, members, key rotation and
/// blocking), access-filtered model listings, and bad input as a 400 naming the field.
/// </summary>
[Collection("Gateway load")]
public sealed partial class ManagementApiTests : IDisposable
{
    private const string Master = "sk-master-mgmt-0123456789";
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-mgmt-{Guid.NewGuid():N}.db");

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
    public Task Sqlite_ShapesSelfServiceAndEndpoints() => RunAsync($"sqlite_path: {_db}");

    [Fact]
    public async Task Postgres_ShapesSelfServiceAndEndpoints()
    {
        await using var database = await PostgresDatabase.CreateOrSkipAsync();
        await RunAsync(database.Storage);
    }

    private static async Task RunAsync(string storage)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(storage));
        var http = gateway.Http;

        // /health/readiness: LiteLLM's fields, with the database connected.
        var ready = await Json(await http.GetAsync(new Uri("/health/readiness", UriKind.Relative), Ct));
        Assert.Equal("healthy", ready.GetProperty("status").GetString());
        Assert.Equal("connected", ready.GetProperty("db").GetString());
        Assert.False(string.IsNullOrEmpty(ready.GetProperty("litellm_version").GetString()));

        // /team/new: LiteLLM_TeamTable.
        var team = await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-search","team_alias":"Search","models":["gpt-4o-mini"],"max_budget":5,"budget_duration":"30d","metadata":{"cost_center":"42"}}""");
        AssertFields(team, "team_id", "team_alias", "organization_id", "admins", "members", "members_with_roles", "metadata", "tpm_limit", "rpm_limit", "max_budget", "budget_duration", "models", "blocked", "spend", "created_at", "updated_at");
        Assert.Equal("Search", team.GetProperty("team_alias").GetString());
        Assert.Equal(5m, team.GetProperty("max_budget").GetDecimal());
        Assert.Equal("42", team.GetProperty("metadata").GetProperty("cost_center").GetString());
        Assert.Equal(0m, team.GetProperty("spend").GetDecimal());
        Assert.False(team.GetProperty("blocked").GetBoolean());
        AssertTime(team, "created_at");

        // /user/new: NewUserResponse, with the key it creates (unless auto_create_key is false).
        var user = await Ok(http, HttpMethod.Post, "/user/new", Master, """{"user_id":"u-ada","user_email":"ada@example.com","user_role":"internal_user","max_budget":10,"models":["gpt-4o-mini","priced"]}""");
        AssertFields(user, "key", "user_id", "user_email", "user_role", "teams", "models", "max_budget", "spend", "metadata", "expires", "token_id", "key_name", "created_at", "updated_at");
        Assert.StartsWith("sk-", user.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal("internal_user", user.GetProperty("user_role").GetString());
        Assert.Equal(10m, user.GetProperty("max_budget").GetDecimal());
        Assert.Equal(64, user.GetProperty("token_id").GetString()!.Length);
        var adaKey = user.GetProperty("key").GetString()!;
        var noKey = await Ok(http, HttpMethod.Post, "/user/new", Master, """{"user_id":"u-bo","auto_create_key":false}""");
        Assert.Equal(JsonValueKind.Null, noKey.GetProperty("key").ValueKind);
        Assert.Equal("internal_user", noKey.GetProperty("user_role").GetString());

        // /key/generate: GenerateKeyResponse — the key once, token_id, key_name, expires, created_at, updated_at; no 'token'.
        var generated = await Ok(http, HttpMethod.Post, "/key/generate", Master, """{"models":["gpt-4o-mini"],"key_alias":"search-bot","team_id":"t-search","user_id":"u-ada","duration":"30d","max_budget":1.5,"rpm_limit":60,"tpm_limit":1000,"max_parallel_requests":4,"budget_duration":"1d","metadata":{"env":"prod"}}""");
        AssertFields(generated, "key", "key_name", "key_alias", "expires", "token_id", "created_at", "updated_at", "models", "max_budget", "budget_duration", "user_id", "team_id", "rpm_limit", "tpm_limit", "max_parallel_requests", "metadata", "spend", "blocked");
        Assert.False(generated.TryGetProperty("token", out _));
        var key = generated.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.Equal("sk-..." + key[^4..], generated.GetProperty("key_name").GetString());
        Assert.Equal(["gpt-4o-mini"], generated.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(60, generated.GetProperty("rpm_limit").GetInt64());
        Assert.Equal("prod", generated.GetProperty("metadata").GetProperty("env").GetString());
        AssertTime(generated, "expires");
        AssertTime(generated, "created_at");
        AssertTime(generated, "updated_at");
        var tokenId = generated.GetProperty("token_id").GetString()!;

        // /key/info: {key, info: LiteLLM_VerificationToken}.
        var info = await Ok(http, HttpMethod.Get, "/key/info?key=" + key, Master, null);
        Assert.Equal(key, info.GetProperty("key").GetString());
        var row = info.GetProperty("info");
        AssertFields(row, "token", "key_name", "key_alias", "spend", "max_budget", "expires", "models", "aliases", "config", "user_id", "team_id", "max_parallel_requests", "metadata", "tpm_limit", "rpm_limit", "budget_duration", "allowed_cache_controls", "permissions", "model_spend", "model_max_budget", "blocked", "created_at", "updated_at");
        Assert.Equal(tokenId, row.GetProperty("token").GetString());
        Assert.Equal("search-bot", row.GetProperty("key_alias").GetString());
        Assert.DoesNotContain(key, row.GetRawText(), StringComparison.Ordinal);

        // Self-service: a key reads its own info, with ?key= naming itself or without; not another key's.
        Assert.Equal(tokenId, (await Ok(http, HttpMethod.Get, "/key/info", key, null)).GetProperty("info").GetProperty("token").GetString());
        Assert.Equal(tokenId, (await Ok(http, HttpMethod.Get, "/key/info?key=" + key, key, null)).GetProperty("info").GetProperty("token").GetString());
        var stranger = await GenerateKeyAsync(http, Master, "{}");
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(http, HttpMethod.Get, "/key/info?key=" + key, stranger, null)).StatusCode);

        // A team's key reads its team's /team/info; not another team's.
        await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-other"}""");
        var teamInfo = await Ok(http, HttpMethod.Get, "/team/info?team_id=t-search", key, null);
        AssertFields(teamInfo, "team_id", "team_info", "keys", "team_memberships");
        Assert.Equal("Search", teamInfo.GetProperty("team_info").GetProperty("team_alias").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(http, HttpMethod.Get, "/team/info?team_id=t-other", key, null)).StatusCode);

        // /key/list: {keys, total_count, current_page, total_pages}; hashes, or rows with return_full_object.
        var list = await Ok(http, HttpMethod.Get, "/key/list?team_id=t-search", Master, null);
        AssertFields(list, "keys", "total_count", "current_page", "total_pages");
        Assert.Equal([tokenId], list.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        var full = await Ok(http, HttpMethod.Get, "/key/list?team_id=t-search&return_full_object=true", Master, null);
        Assert.Equal("search-bot", full.GetProperty("keys")[0].GetProperty("key_alias").GetString());

        // An internal user lists and generates its own keys only.
        var own = await Ok(http, HttpMethod.Get, "/key/list", adaKey, null);
        Assert.Equal(2, own.GetProperty("total_count").GetInt64()); // /user/new's key and the search bot's (user u-ada)
        var adaNew = await Ok(http, HttpMethod.Post, "/key/generate", adaKey, """{"key_alias":"mine"}""");
        Assert.Equal("u-ada", adaNew.GetProperty("user_id").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(http, HttpMethod.Post, "/key/generate", adaKey, """{"user_id":"u-bo"}""")).StatusCode);

        // Team membership: member_add (creating unknown users), the roles on /team/info, member_delete.
        var added = await Ok(http, HttpMethod.Post, "/team/member_add", Master, """{"team_id":"t-search","member":[{"role":"admin","user_id":"u-ada"},{"role":"user","user_email":"cy@example.com"}]}""");
        AssertFields(added, "team_id", "members_with_roles", "updated_users", "updated_team_memberships");
        var members = added.GetProperty("members_with_roles").EnumerateArray().ToList();
        Assert.Equal(2, members.Count);
        Assert.Contains(members, m => m.GetProperty("user_id").GetString() == "u-ada" && m.GetProperty("role").GetString() == "admin");
        Assert.Contains(members, m => m.GetProperty("user_email").GetString() == "cy@example.com" && m.GetProperty("role").GetString() == "user");
        Assert.Equal(["u-ada"], added.GetProperty("admins").EnumerateArray().Select(a => a.GetString()));
        var ada = await Ok(http, HttpMethod.Get, "/user/info", adaKey, null); // a user reads itself
        AssertFields(ada, "user_id", "user_info", "keys", "teams");
        Assert.Equal(["t-search"], ada.GetProperty("user_info").GetProperty("teams").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("t-search", ada.GetProperty("teams")[0].GetProperty("team_id").GetString());
        var updatedTeam = await Ok(http, HttpMethod.Post, "/team/update", adaKey, """{"team_id":"t-search","team_alias":"Search v2"}"""); // as the team's admin
        Assert.Equal("Search v2", updatedTeam.GetProperty("data").GetProperty("team_alias").GetString());
        var removed = await Ok(http, HttpMethod.Post, "/team/member_delete", Master, """{"team_id":"t-search","user_email":"cy@example.com"}""");
        Assert.Single(removed.GetProperty("members_with_roles").EnumerateArray());

        // /team/list (an array), /user/list (paginated), /user/update.
        var teams = await Ok(http, HttpMethod.Get, "/team/list", Master, null);
        Assert.Equal(["t-other", "t-search"], teams.EnumerateArray().Select(t => t.GetProperty("team_id").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["t-search"], (await Ok(http, HttpMethod.Get, "/team/list", adaKey, null)).EnumerateArray().Select(t => t.GetProperty("team_id").GetString()));
        var users = await Ok(http, HttpMethod.Get, "/user/list?page=1&page_size=2", Master, null);
        AssertFields(users, "users", "total", "page", "page_size", "total_pages");
        Assert.Equal(3, users.GetProperty("total").GetInt64()); // u-ada, u-bo and the member created by e-mail
        Assert.Equal(2, users.GetProperty("users").GetArrayLength());
        Assert.Equal(2, users.GetProperty("total_pages").GetInt32());
        var userUpdate = await Ok(http, HttpMethod.Post, "/user/update", Master, """{"user_id":"u-bo","user_alias":"Bo","max_budget":3,"user_role":"internal_user_viewer"}""");
        Assert.Equal("Bo", userUpdate.GetProperty("data").GetProperty("user_alias").GetString());
        Assert.Equal("internal_user_viewer", (await Ok(http, HttpMethod.Get, "/user/info?user_id=u-bo", Master, null)).GetProperty("user_info").GetProperty("user_role").GetString());

        // /key/block, /key/unblock: a blocked key is refused; unblocked it works again.
        Assert.True((await Ok(http, HttpMethod.Post, "/key/block", Master, $$"""{"key":"{{key}}"}""")).GetProperty("blocked").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
        Assert.False((await Ok(http, HttpMethod.Post, "/key/unblock", Master, $$"""{"key":"{{key}}"}""")).GetProperty("blocked").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, key, "gpt-4o-mini")).StatusCode);

        // /key/regenerate: a new secret with the same settings; the old one stops at once.
        var regenerated = await Ok(http, HttpMethod.Post, "/key/regenerate", Master, $$"""{"key":"{{key}}"}""");
        var newKey = regenerated.GetProperty("key").GetString()!;
        Assert.NotEqual(key, newKey);
        Assert.Equal("search-bot", regenerated.GetProperty("key_alias").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, key, "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, newKey, "gpt-4o-mini")).StatusCode);
        var viaPath = await Ok(http, HttpMethod.Post, $"/key/{newKey}/regenerate", Master, null);
        Assert.Equal(HttpStatusCode.OK, (await Chat(http, viaPath.GetProperty("key").GetString(), "gpt-4o-mini")).StatusCode);

        // /team/delete and /user/delete take their keys with them.
        var teamKey = await GenerateKeyAsync(http, Master, """{"team_id":"t-other"}""");
        var deletedTeams = await Ok(http, HttpMethod.Post, "/team/delete", Master, """{"team_ids":["t-other"]}""");
        Assert.Equal(["t-other"], deletedTeams.GetProperty("deleted_teams").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, teamKey, "gpt-4o-mini")).StatusCode);
        await Ok(http, HttpMethod.Post, "/user/delete", Master, """{"user_ids":["u-ada"]}""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat(http, adaKey, "gpt-4o-mini")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, HttpMethod.Get, "/user/info?user_id=u-ada", Master, null)).StatusCode);
    }

    [Fact]
    public async Task ModelListings_ShowOnlyWhatTheKeyAndItsTeamMayCall()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        var http = gateway.Http;
        await Ok(http, HttpMethod.Post, "/team/new", Master, """{"team_id":"t-one","models":["priced"]}""");
        var teamKey = await GenerateKeyAsync(http, Master, """{"team_id":"t-one"}""");
        var narrowKey = await GenerateKeyAsync(http, Master, """{"team_id":"t-one","models":["priced","gpt-4o-mini"]}""");
        var allKey = await GenerateKeyAsync(http, Master, "{}");

        foreach (var path in new[] { "/v1/models", "/models" })
        {
            Assert.Equal(["priced"], Ids(await Ok(http, HttpMethod.Get, path, teamKey, null)));
            Assert.Equal(["priced"], Ids(await Ok(http, HttpMethod.Get, path, narrowKey, null))); // key ∩ team
            Assert.Equal(["gpt-4o-mini", "other", "priced"], Ids(await Ok(http, HttpMethod.Get, path, allKey, null)));
        }

        var modelInfo = await Ok(http, HttpMethod.Get, "/model/info", teamKey, null);
        Assert.Equal(["priced"], modelInfo.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("model_name").GetString()).Distinct());
        Assert.Equal(HttpStatusCode.Forbidden, (await Chat(http, teamKey, "gpt-4o-mini")).StatusCode); // what is listed is what may be called

        static List<string?> Ids(JsonElement list) => [.. list.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString()).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData("/key/generate", """{"max_budget":"lots"}""", "max_budget")]
    [InlineData("/key/generate", """{"max_budget":-1}""", "max_budget")]
    [InlineData("/key/generate", """{"rpm_limit":1.5}""", "rpm_limit")]
    [InlineData("/key/generate", """{"models":"gpt-4o-mini"}""", "models")]
    [InlineData("/key/generate", """{"metadata":[1]}""", "metadata")]
    [InlineData("/key/generate", """{"duration":"forever"}""", "duration")]
    [InlineData("/key/generate", """{"budget_duration":"fortnight"}""", "budget_duration")]
    [InlineData("/key/generate", """{"modles":["gpt-4o-mini"]}""", "modles")]
    [InlineData("/key/generate", """{"model_max_budget":{"gpt-4o-mini":1}}""", "model_max_budget")]
    [InlineData("/key/generate", """{"soft_budget":"half"}""", "soft_budget")]
    [InlineData("/user/new", """{"user_role":"root"}""", "user_role")]
    [InlineData("/user/new", """{"user_email":42}""", "user_email")]
    [InlineData("/team/new", """{"members_with_roles":[{"role":"owner","user_id":"x"}]}""", "members_with_roles.role")]
    [InlineData("/team/new", """{"members_with_roles":[{"role":"user","user_id":"x","budget":1}]}""", "members_with_roles.budget")]
    [InlineData("/team/member_add", """{"team_id":5}""", "team_id")]
    [InlineData("/user/delete", """{"user_ids":"u1"}""", "user_ids")]
    [InlineData("/key/delete", """{"keys":[1]}""", "keys")]
    public async Task BadInput_IsA400NamingTheField(string path, string body, string field)
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        using var response = await Send(gateway.Http, HttpMethod.Post, path, Master, body);
        var json = await Json(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, json.GetProperty("error").GetProperty("param").GetString());
        Assert.Contains(field, json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteLlmFieldsSentEmpty_AreAccepted()
    {
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml($"sqlite_path: {_db}"));
        await Ok(gateway.Http, HttpMethod.Post, "/key/generate", Master, """{"aliases":{},"config":{},"permissions":{},"model_max_budget":{},"allowed_cache_controls":[],"spend":0,"tags":null,"soft_budget":null}""");
        using var badJson = await Send(gateway.Http, HttpMethod.Post, "/key/generate", Master, "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
    }

    public void Dispose()
    {
        SqliteFiles.Delete(_db);
    }

    private static void AssertFields(JsonElement json, params string[] fields)
    {
        var missing = fields.Where(f => !json.TryGetProperty(f, out _)).ToList();
        Assert.True(missing.Count == 0, "missing " + string.Join(", ", missing) + " in " + json);
    }

    /// <summary>Times are ISO 8601 UTC with microseconds, as LiteLLM (Python) writes and reads them.</summary>
    private static void AssertTime(JsonElement json, string field)
        => Assert.Matches(IsoTime(), json.GetProperty(field).GetString()!);

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")]
    private static partial Regex IsoTime();

    private static async Task<JsonElement> Ok(HttpClient http, HttpMethod method, string path, string key, string? body)
    {
        using var response = await Send(http, method, path, key, body);
        var json = await Json(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {json}");
        return json;
    }
}
