using System.Data.Common;
using System.Globalization;
using System.Text;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiteLlm.Gateway.Spend;

/// <summary>The SQL dialects the gateway stores keys and spend in.</summary>
public enum SqlDialect
{
    /// <summary>An embedded SQLite file (the default), in WAL mode.</summary>
    Sqlite,

    /// <summary>PostgreSQL (<c>general_settings.database_url</c>), shared by every replica.</summary>
    PostgreSql,
}

/// <summary>
/// Keys, users, teams and spend logs in SQLite or PostgreSQL through ADO.NET, with the few per-dialect differences
/// (column types) chosen at construction. Times are stored as Unix milliseconds (BIGINT), lists and metadata as JSON text,
/// money as double precision. <see cref="InitializeAsync"/> creates the schema and applies migrations recorded in
/// <c>litellm_schema_version</c>.
/// </summary>
public sealed partial class SqlGatewayStore : IKeyStore, ISpendStore, IAsyncDisposable
{
    /// <summary>The schema version this code writes.</summary>
    public const int SchemaVersion = 4;

    private const string KeyColumns = "token, key_name, key_alias, user_id, team_id, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests, expires, metadata, spend, blocked, created_at, updated_at";
    private const string UserColumns = "user_id, user_email, user_role, models, max_budget, budget_duration, metadata, spend, created_at, user_alias, updated_at";
    private const string TeamColumns = "team_id, team_alias, models, max_budget, budget_duration, metadata, spend, blocked, created_at, updated_at, rpm_limit, tpm_limit, max_parallel_requests";
    private const string SpendColumns = "request_id, api_key, user_id, team_id, model_group, deployment, provider, model, prompt_tokens, completion_tokens, total_tokens, cached_tokens, spend, latency_ms, cache_hit, status, start_time, end_time, endpoint, request_tags";

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private SqlGatewayStore(SqlDialect dialect, string? sqlite, NpgsqlDataSource? postgres)
    {
        Dialect = dialect;
        _sqlite = sqlite;
        _postgres = postgres;
    }

    /// <summary>Gets the dialect.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Creates a store over a SQLite file.</summary>
    public static SqlGatewayStore ForSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        return new SqlGatewayStore(SqlDialect.Sqlite, builder.ToString(), null);
    }

    /// <summary>Creates a store over PostgreSQL from a <c>postgresql://</c> URL or an Npgsql connection string.</summary>
    public static SqlGatewayStore ForPostgres(string databaseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseUrl);
        // The slim builder keeps Native AOT builds small: the store binds only text, integers, numbers and booleans (times are
        // Unix milliseconds, lists JSON text), which it has built in; TLS (sslmode=require in the URL) must be enabled.
        var builder = new NpgsqlSlimDataSourceBuilder(ToNpgsqlConnectionString(databaseUrl));
        builder.EnableTransportSecurity();
        return new SqlGatewayStore(SqlDialect.PostgreSql, null, builder.Build());
    }

    /// <summary>Creates the store <paramref name="options"/> asks for: PostgreSQL when <see cref="GatewayAuthOptions.DatabaseUrl"/> is set, else SQLite.</summary>
    public static SqlGatewayStore Create(GatewayAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DatabaseUrl) ? ForSqlite(options.SqlitePath) : ForPostgres(options.DatabaseUrl);
    }

    /// <summary>Turns <c>postgres[ql]://user:pass@host:port/db?sslmode=require</c> into an Npgsql connection string; passes anything else through.</summary>
    public static string ToNpgsqlConnectionString(string databaseUrl)
    {
        ArgumentNullException.ThrowIfNull(databaseUrl);
        if (!databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return databaseUrl;
        }

        var uri = new Uri(databaseUrl);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port, Database = uri.AbsolutePath.Trim('/') };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && Enum.TryParse<SslMode>(kv[1], true, out var ssl))
            {
                builder.SslMode = ssl;
            }
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == SqlDialect.Sqlite)
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == SqlDialect.PostgreSql)
        {
            // Replicas starting together: one migrates, the others wait and then find the schema current.
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7170717);", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS litellm_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);", cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM litellm_schema_version;", [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"The database schema is version {current}, newer than this gateway's {SchemaVersion}; upgrade the gateway.");
        }

        foreach (var (version, statements) in Migrations())
        {
            if (version <= current)
            {
                continue;
            }

            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO litellm_schema_version (version, applied_at) VALUES (@v, @t);", cancellationToken,
                ("v", (long)version), ("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the schema version recorded in the database (0 when none).</summary>
    public async Task<long> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT COALESCE(MAX(version), 0) FROM litellm_schema_version;", [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<bool> CheckDatabaseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await ScalarAsync(connection, null, "SELECT 1;", [], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<VirtualKeyRecord?> GetKeyAsync(string token, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {KeyColumns} FROM litellm_keys WHERE token = @token;", ReadKey, cancellationToken, ("token", token)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task InsertKeyAsync(VirtualKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_keys ({KeyColumns}) VALUES (@token, @key_name, @key_alias, @user_id, @team_id, @models, @max_budget, @budget_duration, @rpm_limit, @tpm_limit, @max_parallel_requests, @expires, @metadata, @spend, @blocked, @created_at, @updated_at);",
            cancellationToken, KeyParameters(key)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> UpdateKeyAsync(VirtualKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteAsync(connection, null,
            "UPDATE litellm_keys SET key_alias = @key_alias, user_id = @user_id, team_id = @team_id, models = @models, max_budget = @max_budget, budget_duration = @budget_duration, rpm_limit = @rpm_limit, tpm_limit = @tpm_limit, max_parallel_requests = @max_parallel_requests, expires = @expires, metadata = @metadata, blocked = @blocked, updated_at = @updated_at WHERE token = @token;",
            cancellationToken, KeyParameters(key)).ConfigureAwait(false);
        return changed > 0;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> DeleteKeysAsync(IReadOnlyList<string> tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var deleted = new List<string>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var token in tokens.Distinct(StringComparer.Ordinal))
        {
            if (await ExecuteAsync(connection, null, "DELETE FROM litellm_keys WHERE token = @token;", cancellationToken, ("token", token)).ConfigureAwait(false) > 0)
            {
                deleted.Add(token);
            }
        }

        return deleted;
    }

    /// <inheritdoc />
    public async Task<KeyPage> ListKeysAsync(KeyListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new Where();
        where.Add("user_id", query.UserId);
        where.Add("team_id", query.TeamId);
        where.Add("key_alias", query.KeyAlias);
        var (limit, offset) = Paging(query.Page, query.PageSize);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = Convert.ToInt64(await ScalarAsync(connection, null, $"SELECT COUNT(*) FROM litellm_keys{where};", where.Parameters, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var rows = await QueryAsync(connection, $"SELECT {KeyColumns} FROM litellm_keys{where} ORDER BY created_at, token LIMIT {limit} OFFSET {offset};", ReadKey, cancellationToken, [.. where.Parameters]).ConfigureAwait(false);
        return new KeyPage(rows, total);
    }

    /// <inheritdoc />
    public async Task<GatewayUserRecord?> GetUserAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {UserColumns} FROM litellm_users WHERE user_id = @id;", ReadUser, cancellationToken, ("id", userId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> InsertUserAsync(GatewayUserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_users ({UserColumns}) VALUES (@user_id, @user_email, @user_role, @models, @max_budget, @budget_duration, @metadata, 0, @created_at, @user_alias, @updated_at) ON CONFLICT (user_id) DO NOTHING;",
            cancellationToken, UserParameters(user)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task<GatewayTeamRecord?> GetTeamAsync(string teamId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {TeamColumns} FROM litellm_teams WHERE team_id = @id;", ReadTeam, cancellationToken, ("id", teamId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> InsertTeamAsync(GatewayTeamRecord team, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(team);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_teams ({TeamColumns}) VALUES (@team_id, @team_alias, @models, @max_budget, @budget_duration, @metadata, 0, @blocked, @created_at, @updated_at, @rpm_limit, @tpm_limit, @max_parallel_requests) ON CONFLICT (team_id) DO NOTHING;",
            cancellationToken, TeamParameters(team)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task WriteSpendAsync(IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var keys = new Dictionary<string, double>(StringComparer.Ordinal);
        var users = new Dictionary<string, double>(StringComparer.Ordinal);
        var teams = new Dictionary<string, double>(StringComparer.Ordinal);
        var inserted = await InsertSpendAsync(connection, transaction, records, cancellationToken).ConfigureAwait(false);
        await InsertTagsAsync(connection, transaction, records, inserted, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            if (inserted[i] && records[i].Cost is { } cost && cost != 0)
            {
                Accumulate(keys, records[i].KeyId, (double)cost);
                Accumulate(users, records[i].UserId, (double)cost);
                Accumulate(teams, records[i].TeamId, (double)cost);
            }
        }

        // Sorted, so that concurrent writers (other replicas) take row locks in the same order and cannot deadlock.
        foreach (var (table, column, totals) in new[] { ("litellm_keys", "token", keys), ("litellm_users", "user_id", users), ("litellm_teams", "team_id", teams) })
        {
            foreach (var (id, amount) in totals.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                await ExecuteAsync(connection, transaction, $"UPDATE {table} SET spend = spend + @amount WHERE {column} = @id;", cancellationToken, ("amount", amount), ("id", id)).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SpendLogPage> QuerySpendLogsAsync(SpendLogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new Where();
        where.Add("api_key", query.KeyId);
        where.Add("user_id", query.UserId);
        where.Add("team_id", query.TeamId);
        where.Add("request_id", query.RequestId);
        where.Add("model_group", query.ModelGroup);
        where.Add("status", query.Status);
        where.Add("start_time", ">=", query.StartTime?.ToUnixTimeMilliseconds());
        where.Add("start_time", "<", query.EndTime?.ToUnixTimeMilliseconds());
        var (limit, offset) = Paging(query.Page, query.PageSize);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = Convert.ToInt64(await ScalarAsync(connection, null, $"SELECT COUNT(*) FROM litellm_spend_logs{where};", where.Parameters, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var rows = await QueryAsync(connection, $"SELECT {SpendColumns} FROM litellm_spend_logs{where} ORDER BY start_time DESC, request_id LIMIT {limit} OFFSET {offset};", ReadSpend, cancellationToken, [.. where.Parameters]).ConfigureAwait(false);
        return new SpendLogPage(rows, total);
    }

    /// <inheritdoc />
    public async Task<decimal> GetGlobalSpendAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var where = new Where();
        where.Add("start_time", ">=", since?.ToUnixTimeMilliseconds());
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return ToMoney(await ScalarAsync(connection, null, $"SELECT COALESCE(SUM(spend), 0) FROM litellm_spend_logs{where};", where.Parameters, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<decimal> GetSpendAsync(SpendScope scope, string id, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var where = new Where();
        where.Add(scope switch { SpendScope.Key => "api_key", SpendScope.User => "user_id", _ => "team_id" }, id);
        where.Add("start_time", ">=", since?.ToUnixTimeMilliseconds());
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return ToMoney(await ScalarAsync(connection, null, $"SELECT COALESCE(SUM(spend), 0) FROM litellm_spend_logs{where};", where.Parameters, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    private IEnumerable<(int Version, string[] Statements)> Migrations()
    {
        var money = Dialect == SqlDialect.Sqlite ? "REAL" : "DOUBLE PRECISION";
        yield return (1,
        [
            $"CREATE TABLE IF NOT EXISTS litellm_keys (token TEXT PRIMARY KEY, key_name TEXT, key_alias TEXT, user_id TEXT, team_id TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, rpm_limit BIGINT, tpm_limit BIGINT, max_parallel_requests BIGINT, expires BIGINT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_keys_user ON litellm_keys (user_id);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_keys_team ON litellm_keys (team_id);",
            $"CREATE TABLE IF NOT EXISTS litellm_users (user_id TEXT PRIMARY KEY, user_email TEXT, user_role TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);",
            $"CREATE TABLE IF NOT EXISTS litellm_teams (team_id TEXT PRIMARY KEY, team_alias TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);",
            $"CREATE TABLE IF NOT EXISTS litellm_spend_logs (request_id TEXT PRIMARY KEY, api_key TEXT, user_id TEXT, team_id TEXT, model_group TEXT NOT NULL, deployment TEXT, provider TEXT, model TEXT, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, total_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, spend {money}, latency_ms {money} NOT NULL, cache_hit BIGINT NOT NULL, status TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NOT NULL, endpoint TEXT);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_start ON litellm_spend_logs (start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_key ON litellm_spend_logs (api_key, start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_user ON litellm_spend_logs (user_id, start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_team ON litellm_spend_logs (team_id, start_time);",
        ]);
        yield return (2, ManagementMigration());
        yield return (3, ReportMigration(money));
        yield return (4, ["ALTER TABLE litellm_teams ADD COLUMN rpm_limit BIGINT;", "ALTER TABLE litellm_teams ADD COLUMN tpm_limit BIGINT;", "ALTER TABLE litellm_teams ADD COLUMN max_parallel_requests BIGINT;"]);
    }

    private static (string, object?)[] KeyParameters(VirtualKeyRecord key) =>
    [
        ("token", key.Token), ("key_name", key.KeyName), ("key_alias", key.KeyAlias), ("user_id", key.UserId), ("team_id", key.TeamId),
        ("models", JsonText.ListToJson(key.Models)), ("max_budget", Money(key.MaxBudget)), ("budget_duration", key.BudgetDuration),
        ("rpm_limit", key.RpmLimit), ("tpm_limit", key.TpmLimit), ("max_parallel_requests", (long?)key.MaxParallelRequests),
        ("expires", key.Expires?.ToUnixTimeMilliseconds()), ("metadata", key.Metadata), ("spend", (double)key.Spend), ("blocked", key.Blocked ? 1L : 0L),
        ("created_at", key.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", key.UpdatedAt.ToUnixTimeMilliseconds()),
    ];

    private static VirtualKeyRecord ReadKey(DbDataReader r) => new()
    {
        Token = r.GetString(0),
        KeyName = Str(r, 1),
        KeyAlias = Str(r, 2),
        UserId = Str(r, 3),
        TeamId = Str(r, 4),
        Models = JsonText.ParseList(Str(r, 5)),
        MaxBudget = NullableMoney(r, 6),
        BudgetDuration = Str(r, 7),
        RpmLimit = Long(r, 8),
        TpmLimit = Long(r, 9),
        MaxParallelRequests = Long(r, 10) is { } p ? (int)p : null,
        Expires = Long(r, 11) is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null,
        Metadata = Str(r, 12),
        Spend = NullableMoney(r, 13) ?? 0m,
        Blocked = Long(r, 14) is 1,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 15) ?? 0),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 16) ?? 0),
    };

    private static GatewayUserRecord ReadUser(DbDataReader r) => new()
    {
        UserId = r.GetString(0),
        UserEmail = Str(r, 1),
        UserRole = Str(r, 2),
        Models = JsonText.ParseList(Str(r, 3)),
        MaxBudget = NullableMoney(r, 4),
        BudgetDuration = Str(r, 5),
        Metadata = Str(r, 6),
        Spend = NullableMoney(r, 7) ?? 0m,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 8) ?? 0),
        UserAlias = Str(r, 9),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 10) ?? Long(r, 8) ?? 0),
    };

    private static GatewayTeamRecord ReadTeam(DbDataReader r) => new()
    {
        TeamId = r.GetString(0),
        TeamAlias = Str(r, 1),
        Models = JsonText.ParseList(Str(r, 2)),
        MaxBudget = NullableMoney(r, 3),
        BudgetDuration = Str(r, 4),
        Metadata = Str(r, 5),
        Spend = NullableMoney(r, 6) ?? 0m,
        Blocked = Long(r, 7) is 1,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 8) ?? 0),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 9) ?? Long(r, 8) ?? 0),
        RpmLimit = Long(r, 10),
        TpmLimit = Long(r, 11),
        MaxParallelRequests = Long(r, 12) is { } p ? (int)p : null,
    };

    private static SpendRecord ReadSpend(DbDataReader r) => new()
    {
        RequestId = r.GetString(0),
        KeyId = Str(r, 1),
        UserId = Str(r, 2),
        TeamId = Str(r, 3),
        ModelGroup = r.GetString(4),
        Deployment = Str(r, 5),
        Provider = Str(r, 6),
        Model = Str(r, 7),
        InputTokens = Long(r, 8) ?? 0,
        OutputTokens = Long(r, 9) ?? 0,
        CachedTokens = Long(r, 11) ?? 0,
        Cost = NullableMoney(r, 12),
        LatencyMs = r.IsDBNull(13) ? 0 : Convert.ToDouble(r.GetValue(13), CultureInfo.InvariantCulture),
        CacheHit = Long(r, 14) is 1,
        Status = r.GetString(15),
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 16) ?? 0),
        EndTime = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 17) ?? 0),
        Endpoint = Str(r, 18),
        Tags = JsonText.ParseList(Str(r, 19)),
    };

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static decimal? NullableMoney(DbDataReader r, int i) => r.IsDBNull(i) ? null : ToMoney(r.GetValue(i));

    private static decimal ToMoney(object? value) => value is null or DBNull ? 0m : Math.Round((decimal)Convert.ToDouble(value, CultureInfo.InvariantCulture), 12);

    private static double? Money(decimal? value) => value is { } v ? (double)v : null;

    private static void Accumulate(Dictionary<string, double> totals, string? id, double amount)
    {
        if (id is not null)
        {
            totals[id] = totals.GetValueOrDefault(id) + amount;
        }
    }

    private static (int Limit, int Offset) Paging(int page, int size)
    {
        size = Math.Clamp(size, 1, 1000);
        page = Math.Max(1, page);
        return (size, (int)Math.Min(int.MaxValue, (long)(page - 1) * size));
    }

    /// <summary>Opens a connection to the same database, for stores that keep their own tables here (stored responses).</summary>
    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _postgres is not null ? _postgres.CreateConnection() : new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, sql, read, cancellationToken, parameters).ConfigureAwait(false);
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Inserts a batch of spend rows (a row already there, by request id, is skipped) and says which were new. Where the
    /// provider batches (PostgreSQL) the whole batch is one round trip: a row a round trip could not keep up with load.
    /// </summary>
    private static async Task<bool[]> InsertSpendAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
    {
        const string Sql = $"INSERT INTO litellm_spend_logs ({SpendColumns}) VALUES (@request_id, @api_key, @user_id, @team_id, @model_group, @deployment, @provider, @model, @prompt_tokens, @completion_tokens, @total_tokens, @cached_tokens, @spend, @latency_ms, @cache_hit, @status, @start_time, @end_time, @endpoint, @request_tags) ON CONFLICT (request_id) DO NOTHING;";
        var inserted = new bool[records.Count];
        if (!connection.CanCreateBatch)
        {
            for (var i = 0; i < records.Count; i++)
            {
                inserted[i] = await ExecuteAsync(connection, transaction, Sql, cancellationToken, SpendParameters(records[i])).ConfigureAwait(false) > 0;
            }

            return inserted;
        }

        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var record in records)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = Sql;
            Bind(command.Parameters, command.CreateParameter, SpendParameters(record));
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            inserted[i] = batch.BatchCommands[i].RecordsAffected > 0;
        }

        return inserted;
    }

    private static (string, object?)[] SpendParameters(SpendRecord r) =>
    [
        ("request_id", r.RequestId), ("api_key", r.KeyId), ("user_id", r.UserId), ("team_id", r.TeamId), ("model_group", r.ModelGroup),
        ("deployment", r.Deployment), ("provider", r.Provider), ("model", r.Model), ("prompt_tokens", r.InputTokens), ("completion_tokens", r.OutputTokens),
        ("total_tokens", r.InputTokens + r.OutputTokens), ("cached_tokens", r.CachedTokens), ("spend", Money(r.Cost)), ("latency_ms", r.LatencyMs),
        ("cache_hit", r.CacheHit ? 1L : 0L), ("status", r.Status), ("start_time", r.StartTime.ToUnixTimeMilliseconds()), ("end_time", r.EndTime.ToUnixTimeMilliseconds()),
        ("endpoint", r.Endpoint), ("request_tags", r.Tags.Count == 0 ? null : JsonText.ListToJson(r.Tags)),
    ];

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    // Every statement is a constant of this class, with values always bound as parameters (never spliced into the text).
#pragma warning disable CA2100
    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        Bind(command.Parameters, command.CreateParameter, parameters);
        return command;
    }

    private static void Bind(DbParameterCollection target, Func<DbParameter> create, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = create();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            target.Add(parameter);
        }
    }
#pragma warning restore CA2100

    /// <summary>A WHERE clause of equality and range conditions on fixed column names, with bound values.</summary>
    private sealed class Where
    {
        private readonly StringBuilder _sql = new();

        public List<(string, object?)> Parameters { get; } = [];

        public void Add(string column, object? value) => Add(column, "=", value);

        public void Add(string column, string op, object? value)
        {
            if (value is null)
            {
                return;
            }

            var name = "p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            _sql.Append(Parameters.Count == 0 ? " WHERE " : " AND ").Append(column).Append(' ').Append(op).Append(" @").Append(name);
            Parameters.Add((name, value));
        }

        public override string ToString() => _sql.ToString();
    }
}
