using System.Data.Common;
using System.Globalization;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Storage;

/// <summary>
/// Spend logs: the batched writer (rows plus the key, user, team, customer and organization totals, all or nothing) and the
/// queries. On PostgreSQL a batch is one statement (SqlGatewayStore.PostgresSpend.cs); on SQLite, which runs in process,
/// one transaction of prepared statements.
/// </summary>
public sealed partial class SqlGatewayStore
{
    private const string SpendColumns = "request_id, api_key, user_id, team_id, model_group, deployment, provider, model, prompt_tokens, completion_tokens, total_tokens, cached_tokens, spend, latency_ms, cache_hit, status, start_time, end_time, endpoint, request_tags, end_user";

    /// <inheritdoc />
    public async Task WriteSpendAsync(IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        if (Dialect == SqlDialect.PostgreSql)
        {
            // A round trip per statement could not keep up with a native gateway under load (decision 0012).
            await WritePostgresSpendAsync(records, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var keys = new Dictionary<string, double>(StringComparer.Ordinal);
        var users = new Dictionary<string, double>(StringComparer.Ordinal);
        var teams = new Dictionary<string, double>(StringComparer.Ordinal);
        var customers = new Dictionary<string, double>(StringComparer.Ordinal);
        var inserted = await InsertSpendAsync(connection, transaction, records, cancellationToken).ConfigureAwait(false);
        await InsertTagsAsync(connection, transaction, records, inserted, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < records.Count; i++)
        {
            if (inserted[i] && records[i].Cost is { } cost && cost != 0)
            {
                Accumulate(keys, records[i].KeyId, (double)cost);
                Accumulate(users, records[i].UserId, (double)cost);
                Accumulate(teams, records[i].TeamId, (double)cost);
                Accumulate(customers, records[i].EndUser, (double)cost);
            }
        }

        // Sorted, so that concurrent writers (other replicas) take row locks in the same order and cannot deadlock.
        foreach (var (table, column, totals) in new[] { ("litellm_keys", "token", keys), ("litellm_users", "user_id", users), ("litellm_teams", "team_id", teams), ("litellm_end_users", "user_id", customers) })
        {
            foreach (var (id, amount) in totals.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                await ExecuteAsync(connection, transaction, $"UPDATE {table} SET spend = spend + @amount WHERE {column} = @id;", cancellationToken, ("amount", amount), ("id", id)).ConfigureAwait(false);
            }
        }

        await AddOrganizationSpendAsync(connection, transaction, teams, cancellationToken).ConfigureAwait(false);

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
        if (scope == SpendScope.Organization)
        {
            return await GetOrganizationSpendAsync(id, since, cancellationToken).ConfigureAwait(false);
        }

        var where = new Where();
        where.Add(scope switch { SpendScope.Key => "api_key", SpendScope.User => "user_id", SpendScope.Customer => "end_user", _ => "team_id" }, id);
        where.Add("start_time", ">=", since?.ToUnixTimeMilliseconds());
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return ToMoney(await ScalarAsync(connection, null, $"SELECT COALESCE(SUM(spend), 0) FROM litellm_spend_logs{where};", where.Parameters, cancellationToken).ConfigureAwait(false));
    }

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
        EndUser = Str(r, 20),
    };

    private static void Accumulate(Dictionary<string, double> totals, string? id, double amount)
    {
        if (id is not null)
        {
            totals[id] = totals.GetValueOrDefault(id) + amount;
        }
    }

    /// <summary>
    /// SQLite: inserts a batch of spend rows (a row already there, or earlier in the batch, by request id, is skipped) and
    /// says which were new. One command prepared once for the batch, its parameters rebound per row: a command per row
    /// parsed the statement and made 21 parameters and their names again for every row (a quarter of the bytes a proxied
    /// request allocated, profiled under load).
    /// </summary>
    private static async Task<bool[]> InsertSpendAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
    {
        const string Sql = $"INSERT INTO litellm_spend_logs ({SpendColumns}) VALUES (@request_id, @api_key, @user_id, @team_id, @model_group, @deployment, @provider, @model, @prompt_tokens, @completion_tokens, @total_tokens, @cached_tokens, @spend, @latency_ms, @cache_hit, @status, @start_time, @end_time, @endpoint, @request_tags, @end_user) ON CONFLICT (request_id) DO NOTHING;";
        var inserted = new bool[records.Count];
#pragma warning disable CA2100 // a constant statement; values are bound
        await using var command = connection.CreateCommand();
        command.CommandText = Sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        var values = new object?[SpendParameterNames.Length];
        var parameters = new DbParameter[SpendParameterNames.Length];
        for (var p = 0; p < parameters.Length; p++)
        {
            parameters[p] = command.CreateParameter();
            parameters[p].ParameterName = SpendParameterNames[p];
            command.Parameters.Add(parameters[p]);
        }

        for (var i = 0; i < records.Count; i++)
        {
            SpendValues(records[i], values);
            for (var p = 0; p < parameters.Length; p++)
            {
                parameters[p].Value = values[p] ?? DBNull.Value;
            }

            if (i == 0)
            {
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            }

            inserted[i] = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }

        return inserted;
    }

    private static readonly string[] SpendParameterNames =
    [
        "@request_id", "@api_key", "@user_id", "@team_id", "@model_group", "@deployment", "@provider", "@model", "@prompt_tokens", "@completion_tokens",
        "@total_tokens", "@cached_tokens", "@spend", "@latency_ms", "@cache_hit", "@status", "@start_time", "@end_time", "@endpoint", "@request_tags", "@end_user",
    ];

    /// <summary>A spend row's values, in the order of <see cref="SpendParameterNames"/>.</summary>
    private static void SpendValues(SpendRecord r, object?[] values)
    {
        values[0] = r.RequestId;
        values[1] = r.KeyId;
        values[2] = r.UserId;
        values[3] = r.TeamId;
        values[4] = r.ModelGroup;
        values[5] = r.Deployment;
        values[6] = r.Provider;
        values[7] = r.Model;
        values[8] = r.InputTokens;
        values[9] = r.OutputTokens;
        values[10] = r.InputTokens + r.OutputTokens;
        values[11] = r.CachedTokens;
        values[12] = Money(r.Cost);
        values[13] = r.LatencyMs;
        values[14] = r.CacheHit ? 1L : 0L;
        values[15] = r.Status;
        values[16] = r.StartTime.ToUnixTimeMilliseconds();
        values[17] = r.EndTime.ToUnixTimeMilliseconds();
        values[18] = r.Endpoint;
        values[19] = r.Tags.Count == 0 ? null : JsonText.ListToJson(r.Tags);
        values[20] = r.EndUser;
    }
}
