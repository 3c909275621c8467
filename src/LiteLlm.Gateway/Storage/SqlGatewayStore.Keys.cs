using System.Data.Common;
using System.Globalization;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Storage;

/// <summary>Virtual keys, users and teams: reads, inserts, updates and the row readers.</summary>
public sealed partial class SqlGatewayStore
{
    private const string KeyColumns = "token, key_name, key_alias, user_id, team_id, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests, expires, metadata, spend, blocked, created_at, updated_at, budget_id, soft_budget";
    private const string UserColumns = "user_id, user_email, user_role, models, max_budget, budget_duration, metadata, spend, created_at, user_alias, updated_at";
    private const string TeamColumns = "team_id, team_alias, models, max_budget, budget_duration, metadata, spend, blocked, created_at, updated_at, rpm_limit, tpm_limit, max_parallel_requests, organization_id, soft_budget";

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
            $"INSERT INTO litellm_keys ({KeyColumns}) VALUES (@token, @key_name, @key_alias, @user_id, @team_id, @models, @max_budget, @budget_duration, @rpm_limit, @tpm_limit, @max_parallel_requests, @expires, @metadata, @spend, @blocked, @created_at, @updated_at, @budget_id, @soft_budget);",
            cancellationToken, KeyParameters(key)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> UpdateKeyAsync(VirtualKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteAsync(connection, null,
            "UPDATE litellm_keys SET key_alias = @key_alias, user_id = @user_id, team_id = @team_id, models = @models, max_budget = @max_budget, budget_duration = @budget_duration, rpm_limit = @rpm_limit, tpm_limit = @tpm_limit, max_parallel_requests = @max_parallel_requests, expires = @expires, metadata = @metadata, blocked = @blocked, updated_at = @updated_at, budget_id = @budget_id, soft_budget = @soft_budget WHERE token = @token;",
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
            $"INSERT INTO litellm_teams ({TeamColumns}) VALUES (@team_id, @team_alias, @models, @max_budget, @budget_duration, @metadata, 0, @blocked, @created_at, @updated_at, @rpm_limit, @tpm_limit, @max_parallel_requests, @organization_id, @soft_budget) ON CONFLICT (team_id) DO NOTHING;",
            cancellationToken, TeamParameters(team)).ConfigureAwait(false) > 0;
    }

    private static (string, object?)[] KeyParameters(VirtualKeyRecord key) =>
    [
        ("token", key.Token), ("key_name", key.KeyName), ("key_alias", key.KeyAlias), ("user_id", key.UserId), ("team_id", key.TeamId),
        ("models", JsonText.ListToJson(key.Models)), ("max_budget", Money(key.MaxBudget)), ("budget_duration", key.BudgetDuration),
        ("rpm_limit", key.RpmLimit), ("tpm_limit", key.TpmLimit), ("max_parallel_requests", (long?)key.MaxParallelRequests),
        ("expires", key.Expires?.ToUnixTimeMilliseconds()), ("metadata", key.Metadata), ("spend", (double)key.Spend), ("blocked", key.Blocked ? 1L : 0L),
        ("created_at", key.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", key.UpdatedAt.ToUnixTimeMilliseconds()), ("budget_id", key.BudgetId), ("soft_budget", Money(key.SoftBudget)),
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
        BudgetId = Str(r, 17),
        SoftBudget = NullableMoney(r, 18),
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
        OrganizationId = Str(r, 13),
        SoftBudget = NullableMoney(r, 14),
    };
}
