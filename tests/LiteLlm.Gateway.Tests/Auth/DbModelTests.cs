using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using LiteLlm.Gateway.Tests.Fidelity;
using Microsoft.Data.Sqlite;
using Npgsql;
using static LiteLlm.Gateway.Tests.Auth.KeyCalls;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>
/// Models in the database through the real gateway (Kestrel on loopback, a loopback OpenAI upstream), on SQLite and on a
/// real PostgreSQL: /model/new serves at once, credentials are sealed at rest and masked in answers, config models are
/// read-only, bad input is a 400 naming the field, and a stored model that does not build leaves the others served.
/// </summary>
[Collection("Gateway load")]
public sealed class DbModelTests
{
    internal const string Master = "sk-master-dbmodels-0123456789";
    internal const string UpstreamKey = "sk-upstream-secret-4f1c9a7d2b";

    internal const string Completion = """
        {"id":"chatcmpl-db1","object":"chat.completion","created":1727346172,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"from the upstream"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A config with one config-file model; <paramref name="router"/> and <paramref name="general"/> are extra indented lines.</summary>
    internal static string Yaml(string database, bool storeModelInDb = true, string general = "", string router = "")
        => "model_list:\n"
            + "  - model_name: config-chat\n"
            + "    litellm_params: {model: mock/config-chat, mock_response: \"from config\"}\n"
            + "router_settings:\n"
            + "  num_retries: 0\n"
            + router
            + "general_settings:\n"
            + $"  master_key: {Master}\n"
            + $"  {database}\n"
            + $"  store_model_in_db: {(storeModelInDb ? "true" : "false")}\n"
            + general;

    internal static string NewModel(string name, string id, string apiBase, string key = UpstreamKey)
        => $$$"""{"model_name":"{{{name}}}","litellm_params":{"model":"openai/gpt-4o-mini","api_base":"{{{apiBase}}}","api_key":"{{{key}}}"},"model_info":{"id":"{{{id}}}","description":"added at run time"}}""";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ModelNew_IsServedAtOnce_SealedAtRest_MaskedInEveryAnswer_ThenUpdatedAndDeleted(string dialect)
    {
        await using var database = await TestDatabase.CreateAsync(dialect);
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "application/json", Completion);
        var logs = new CapturingLoggerProvider();
        var bodies = new List<string>();
        await using var gateway = await GatewayHost.StartAsync(o => o.DetailedDebug = true, s => s.AddSingleton<ILoggerProvider>(logs), Yaml(database.Setting));
        var http = gateway.Http;

        async Task<(HttpStatusCode Status, JsonElement Json)> Call(HttpMethod method, string path, string? body)
        {
            using var response = await Send(http, method, path, Master, body);
            var text = await response.Content.ReadAsStringAsync(Ct);
            bodies.Add(text);
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }

        var (status, created) = await Call(HttpMethod.Post, "/model/new", NewModel("db-chat", "db-1", upstream.Address + "/v1"));
        Assert.True(status == HttpStatusCode.OK, created.ToString());
        Assert.Equal("db-1", created.GetProperty("model_id").GetString());
        Assert.Equal("db-chat", created.GetProperty("model_name").GetString());
        Assert.Equal("openai/gpt-4o-mini", created.GetProperty("litellm_params").GetProperty("model").GetString());
        Assert.StartsWith("sk-u", created.GetProperty("litellm_params").GetProperty("api_key").GetString(), StringComparison.Ordinal);
        Assert.True(created.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        Assert.Equal("added at run time", created.GetProperty("model_info").GetProperty("description").GetString());

        // Served at once by this replica: the upstream gets the decrypted key.
        using (var chat = await Chat(http, Master, "db-chat"))
        {
            Assert.True(chat.StatusCode == HttpStatusCode.OK, await chat.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal("Bearer " + UpstreamKey, upstream.Last.Headers["authorization"]);
        Assert.Equal("gpt-4o-mini", upstream.Last.Json.GetProperty("model").GetString());

        // Listed with db_model: true beside the config model (db_model: false); /v1/models lists the group.
        var (_, info) = await Call(HttpMethod.Get, "/model/info", null);
        var entries = info.GetProperty("data").EnumerateArray().ToList();
        var db = Assert.Single(entries, e => e.GetProperty("model_name").GetString() == "db-chat");
        Assert.True(db.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        Assert.Equal("db-1", db.GetProperty("model_info").GetProperty("id").GetString());
        var config = Assert.Single(entries, e => e.GetProperty("model_name").GetString() == "config-chat");
        Assert.False(config.GetProperty("model_info").GetProperty("db_model").GetBoolean());
        var (_, one) = await Call(HttpMethod.Get, "/model/info?litellm_model_id=db-1", null);
        Assert.Single(one.GetProperty("data").EnumerateArray());
        var (_, models) = await Call(HttpMethod.Get, "/v1/models", null);
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "db-chat");
        var (_, groups) = await Call(HttpMethod.Get, "/model_group/info", null);
        var group = Assert.Single(groups.GetProperty("data").EnumerateArray(), g => g.GetProperty("model_group").GetString() == "db-chat");
        Assert.Equal("openai", group.GetProperty("providers")[0].GetString());

        // Listings respect access: a key limited to the config model sees neither the stored model nor its group.
        var limited = await GenerateKeyAsync(http, Master, """{"models":["config-chat"]}""");
        foreach (var path in new[] { "/model_group/info", "/model/info", "/v1/models" })
        {
            using var listing = await Send(http, HttpMethod.Get, path, limited, null);
            var text = await listing.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
            Assert.Contains("config-chat", text, StringComparison.Ordinal);
            Assert.DoesNotContain("db-chat", text, StringComparison.Ordinal);
        }

        // At rest: neither the key nor any other parameter is readable in the row.
        var raw = await database.ReadModelRowsAsync();
        Assert.Contains("db-1", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(UpstreamKey[3..12], raw, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(upstream.Address, raw, StringComparison.Ordinal);

        // PATCH a new key: the next call carries it; /model/update merges (the key stays) and renames nothing.
        const string NewKey = "sk-upstream-rotated-77aa88bb99";
        (status, var patched) = await Call(HttpMethod.Patch, "/model/db-1/update", $$$"""{"litellm_params":{"api_key":"{{{NewKey}}}"}}""");
        Assert.True(status == HttpStatusCode.OK, patched.ToString());
        using (var chat = await Chat(http, Master, "db-chat"))
        {
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        }

        Assert.Equal("Bearer " + NewKey, upstream.Last.Headers["authorization"]);
        (status, var updated) = await Call(HttpMethod.Post, "/model/update", """{"model_info":{"id":"db-1"},"litellm_params":{"rpm":7}}""");
        Assert.True(status == HttpStatusCode.OK, updated.ToString());
        Assert.Equal(7, updated.GetProperty("litellm_params").GetProperty("rpm").GetInt32());
        Assert.Equal("openai/gpt-4o-mini", updated.GetProperty("litellm_params").GetProperty("model").GetString());
        (_, info) = await Call(HttpMethod.Get, "/model/info?litellm_model_id=db-1", null);
        Assert.Equal(7, info.GetProperty("data")[0].GetProperty("litellm_params").GetProperty("rpm").GetInt32());

        // Delete: gone from the router and the listings.
        (status, var deleted) = await Call(HttpMethod.Post, "/model/delete", """{"id":"db-1"}""");
        Assert.True(status == HttpStatusCode.OK, deleted.ToString());
        Assert.Equal("Model: db-1 deleted successfully", deleted.GetProperty("message").GetString());
        using (var chat = await Chat(http, Master, "db-chat"))
        {
            Assert.NotEqual(HttpStatusCode.OK, chat.StatusCode);
            Assert.True((int)chat.StatusCode < 500);
        }

        (_, info) = await Call(HttpMethod.Get, "/model/info", null);
        Assert.DoesNotContain(info.GetProperty("data").EnumerateArray(), e => e.GetProperty("model_name").GetString() == "db-chat");
        Assert.Empty(await database.ReadModelIdsAsync());

        // Never in clear in any answer or log line.
        foreach (var secret in new[] { UpstreamKey, NewKey })
        {
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ConfigModels_AreReadOnly_With400NamingTheModel()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(database.Setting));
        using var infoResponse = await Send(gateway.Http, HttpMethod.Get, "/model/info", Master, null);
        var id = (await Json(infoResponse)).GetProperty("data")[0].GetProperty("model_info").GetProperty("id").GetString()!;
        var calls = new (HttpMethod Method, string Path, string Body)[]
        {
            (HttpMethod.Post, "/model/update", $$$"""{"model_info":{"id":"{{{id}}}"},"litellm_params":{"rpm":1}}"""),
            (HttpMethod.Patch, $"/model/{id}/update", """{"litellm_params":{"rpm":1}}"""),
            (HttpMethod.Post, "/model/delete", $$"""{"id":"{{id}}"}"""),
            (HttpMethod.Post, "/model/new", $$$"""{"model_name":"x","litellm_params":{"model":"mock/x"},"model_info":{"id":"{{{id}}}"}}"""),
        };
        foreach (var (method, path, body) in calls)
        {
            using var response = await Send(gateway.Http, method, path, Master, body);
            var json = await Json(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {json}");
            var message = json.GetProperty("error").GetProperty("message").GetString()!;
            Assert.True(path == "/model/new" ? message.Contains(id, StringComparison.Ordinal) : message.Contains("'config-chat'", StringComparison.Ordinal) && message.Contains("Model in config", StringComparison.Ordinal), message);
        }

        using var chat = await Chat(gateway.Http, Master, "config-chat");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Fact]
    public async Task BadInput_Is400NamingTheField_NeverA500()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(database.Setting));
        var cases = new (string Body, string Param)[]
        {
            ("""{"model_name":"a","litellm_params":{"model":"nosuchprovider/x"}}""", "litellm_params.model"),
            ("""{"model_name":"a","litellm_params":{"model":"mock/x","rpm":"many"}}""", "litellm_params.rpm"),
            ("""{"model_name":"a","litellm_params":{"model":"mock/x","timeout":-3}}""", "litellm_params.timeout"),
            ("""{"model_name":"a","litellm_params":{"model":["mock/x"]}}""", "litellm_params.model"),
            ("""{"model_name":"a","litellm_params":{"api_key":"sk-x"}}""", "litellm_params.model"),
            ("""{"model_name":"a","litellm_params":"mock/x"}""", "litellm_params"),
            ("""{"model_name":5,"litellm_params":{"model":"mock/x"}}""", "model_name"),
            ("""{"litellm_params":{"model":"mock/x"}}""", "model_name"),
            ("""{"model_name":"a","litellm_params":{"model":"mock/x"},"model_info":{"id":7}}""", "model_info.id"),
            ("""{"model_name":"a","litellm_params":{"model":"mock/x"},"model_info":{"access_groups":{"a":1}}}""", "model_info.access_groups"),
            ("""{"model_name":"a","litellm_params":{"model":"mock/x"},"surprise":1}""", "surprise"),
        };
        foreach (var (body, param) in cases)
        {
            using var response = await Send(gateway.Http, HttpMethod.Post, "/model/new", Master, body);
            var json = await Json(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {json}");
            Assert.True(json.GetProperty("error").GetProperty("param").GetString() == param, $"{body}: {json}");
        }

        using (var patch = await Send(gateway.Http, HttpMethod.Patch, "/model/nope/update", Master, """{"litellm_params":{"rpm":1}}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        }

        using (var delete = await Send(gateway.Http, HttpMethod.Post, "/model/delete", Master, """{"id":"nope"}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
            Assert.Contains("Model with id=nope not found in db", (await Json(delete)).ToString(), StringComparison.Ordinal);
        }

        // An update that would break a stored model is refused and leaves it as it was.
        using (var created = await Send(gateway.Http, HttpMethod.Post, "/model/new", Master, """{"model_name":"ok","litellm_params":{"model":"mock/ok","mock_response":"fine"},"model_info":{"id":"ok-1"}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        using (var broken = await Send(gateway.Http, HttpMethod.Patch, "/model/ok-1/update", Master, """{"litellm_params":{"model":"nosuchprovider/x"}}"""))
        {
            Assert.Equal("litellm_params.model", (await Json(broken)).GetProperty("error").GetProperty("param").GetString());
        }

        using var chat = await Chat(gateway.Http, Master, "ok");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Fact]
    public async Task WithoutStoreModelInDb_ModelNewIs400AskingForIt()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(database.Setting, storeModelInDb: false));
        using var response = await Send(gateway.Http, HttpMethod.Post, "/model/new", Master, """{"model_name":"a","litellm_params":{"model":"mock/a"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("STORE_MODEL_IN_DB", (await Json(response)).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoredModelThatDoesNotBuild_OrCannotBeOpened_LeavesTheOthersServed()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using (var first = await GatewayHost.StartAsync(yaml: Yaml(database.Setting)))
        {
            foreach (var (name, id) in new[] { ("good", "good-1"), ("bad", "bad-1"), ("sealed-elsewhere", "other-1") })
            {
                using var created = await Send(first.Http, HttpMethod.Post, "/model/new", Master, $$$"""{"model_name":"{{{name}}}","litellm_params":{"model":"mock/{{{name}}}","mock_response":"hi"},"model_info":{"id":"{{{id}}}"}}""");
                Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            }
        }

        // Break two rows behind the API's back: one no longer builds (valid seal, unknown provider), one was sealed under another key.
        var secrets = new LiteLlm.Gateway.Storage.ModelSecrets(Master);
        await database.ExecuteAsync("UPDATE litellm_proxy_models SET litellm_params = @p WHERE model_id = 'bad-1';", secrets.Seal("bad-1", """{"model":"nosuchprovider/x"}"""));
        await database.ExecuteAsync("UPDATE litellm_proxy_models SET litellm_params = @p WHERE model_id = 'other-1';", new LiteLlm.Gateway.Storage.ModelSecrets("another-salt-key").Seal("other-1", """{"model":"mock/x"}"""));

        var logs = new CapturingLoggerProvider();
        await using var second = await GatewayHost.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(logs), yaml: Yaml(database.Setting));
        using (var good = await Chat(second.Http, Master, "good"))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        using (var bad = await Chat(second.Http, Master, "bad"))
        {
            Assert.NotEqual(HttpStatusCode.OK, bad.StatusCode);
        }

        using (var config = await Chat(second.Http, Master, "config-chat"))
        {
            Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        }

        Assert.Contains(logs.Lines, l => l.Contains("bad-1", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("other-1", StringComparison.Ordinal));
    }
}

/// <summary>A throw-away SQLite file or PostgreSQL database, with raw access to the stored model rows.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqlite;
    private readonly PostgresDatabase? _postgres;

    private TestDatabase(string? sqlite, PostgresDatabase? postgres) => (_sqlite, _postgres) = (sqlite, postgres);

    /// <summary>The general_settings line that points the gateway at this database.</summary>
    public string Setting => _sqlite is not null ? $"sqlite_path: {_sqlite}" : $"database_url: postgresql://litellm:litellm@127.0.0.1:5432/{_postgres!.Name}";

    public static async Task<TestDatabase> CreateAsync(string dialect)
        => dialect == "sqlite"
            ? new TestDatabase(Path.Combine(Path.GetTempPath(), $"gw-dbmodels-{Guid.NewGuid():N}.db"), null)
            : new TestDatabase(null, await PostgresDatabase.CreateOrSkipAsync());

    /// <summary>Every column of every stored model row, as text.</summary>
    public async Task<string> ReadModelRowsAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM litellm_proxy_models;";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var text = new StringBuilder();
        var decoded = new StringBuilder();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
                text.Append(value).Append('|');
                decoded.Append(Decoded(value)).Append('|');
            }

            text.AppendLine();
        }

        // An encoding is not encryption: the base64 payloads, decoded, must not show the secrets either.
        return text.ToString() + "\n#decoded: " + decoded;
    }

    private static string Decoded(string value)
    {
        var payload = value.Contains(':', StringComparison.Ordinal) ? value[(value.IndexOf(':', StringComparison.Ordinal) + 1)..] : value;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(payload));
        }
        catch (FormatException)
        {
            return string.Empty;
        }
    }

    public async Task<IReadOnlyList<string>> ReadModelIdsAsync()
    {
        var rows = await ReadModelRowsAsync();
        return [.. rows[..rows.IndexOf("\n#decoded: ", StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('|')[0])];
    }

    public async Task ExecuteAsync(string sql, string parameter)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var p = command.CreateParameter();
        p.ParameterName = "@p";
        p.Value = parameter;
        command.Parameters.Add(p);
        Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        if (_sqlite is not null)
        {
            SqliteFiles.Delete(_sqlite);
        }
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = _sqlite is not null
            ? new SqliteConnection($"Data Source={_sqlite}")
            : new NpgsqlConnection($"Host=127.0.0.1;Port=5432;Username=litellm;Password=litellm;Database={_postgres!.Name}");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
