using System.Data.Common;
using System.Globalization;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Storage;

/// <summary>The management side of the store: updating, deleting and listing users and teams, team membership, key rotation.</summary>
public sealed partial class SqlGatewayStore
{
    private const string MemberColumns = "team_id, user_id, user_email, role";

    /// <inheritdoc />
    public async Task<bool> UpdateUserAsync(GatewayUserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_users SET user_email = @user_email, user_role = @user_role, models = @models, max_budget = @max_budget, budget_duration = @budget_duration, metadata = @metadata, user_alias = @user_alias, updated_at = @updated_at WHERE user_id = @user_id;",
            cancellationToken, UserParameters(user)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> DeleteUsersAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken)
        => DeleteWithMembershipsAsync("litellm_users", "user_id", userIds, cancellationToken);

    /// <inheritdoc />
    public async Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new Where();
        where.Add("user_role", query.Role);
        var (limit, offset) = Paging(query.Page, query.PageSize);
        var filter = where.ToString();
        var parameters = new List<(string, object?)>(where.Parameters);
        if (query.UserIds is { Count: > 0 } ids)
        {
            var names = new List<string>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal).Take(1000))
            {
                var name = "u" + names.Count.ToString(CultureInfo.InvariantCulture);
                names.Add("@" + name);
                parameters.Add((name, id));
            }

            filter += (filter.Length == 0 ? " WHERE " : " AND ") + "user_id IN (" + string.Join(", ", names) + ")";
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var total = Convert.ToInt64(await ScalarAsync(connection, null, $"SELECT COUNT(*) FROM litellm_users{filter};", parameters, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var rows = await QueryAsync(connection, $"SELECT {UserColumns} FROM litellm_users{filter} ORDER BY created_at, user_id LIMIT {limit} OFFSET {offset};", ReadUser, cancellationToken, [.. parameters]).ConfigureAwait(false);
        return new UserPage(rows, total);
    }

    /// <inheritdoc />
    public async Task<GatewayUserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {UserColumns} FROM litellm_users WHERE user_email = @email ORDER BY created_at LIMIT 1;", ReadUser, cancellationToken, ("email", email)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> UpdateTeamAsync(GatewayTeamRecord team, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(team);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_teams SET team_alias = @team_alias, models = @models, max_budget = @max_budget, budget_duration = @budget_duration, metadata = @metadata, blocked = @blocked, updated_at = @updated_at, rpm_limit = @rpm_limit, tpm_limit = @tpm_limit, max_parallel_requests = @max_parallel_requests, organization_id = @organization_id, soft_budget = @soft_budget WHERE team_id = @team_id;",
            cancellationToken, TeamParameters(team)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> DeleteTeamsAsync(IReadOnlyList<string> teamIds, CancellationToken cancellationToken)
        => DeleteWithMembershipsAsync("litellm_teams", "team_id", teamIds, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<GatewayTeamRecord>> ListTeamsAsync(IReadOnlyList<string>? teamIds, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 1000);
        if (teamIds is null)
        {
            return await QueryAsync($"SELECT {TeamColumns} FROM litellm_teams ORDER BY created_at, team_id LIMIT {limit};", ReadTeam, cancellationToken).ConfigureAwait(false);
        }

        var teams = new List<GatewayTeamRecord>();
        foreach (var id in teamIds.Distinct(StringComparer.Ordinal).Take(limit))
        {
            if (await GetTeamAsync(id, cancellationToken).ConfigureAwait(false) is { } team)
            {
                teams.Add(team);
            }
        }

        return teams;
    }

    /// <inheritdoc />
    public async Task UpsertTeamMemberAsync(TeamMemberRecord member, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(member);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_team_members ({MemberColumns}, created_at) VALUES (@team_id, @user_id, @user_email, @role, @created_at) ON CONFLICT (team_id, user_id) DO UPDATE SET user_email = excluded.user_email, role = excluded.role;",
            cancellationToken, ("team_id", member.TeamId), ("user_id", member.UserId), ("user_email", member.UserEmail), ("role", member.Role), ("created_at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteTeamMemberAsync(string teamId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, "DELETE FROM litellm_team_members WHERE team_id = @team_id AND user_id = @user_id;", cancellationToken, ("team_id", teamId), ("user_id", userId)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TeamMemberRecord>> GetTeamMembersAsync(string teamId, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {MemberColumns} FROM litellm_team_members WHERE team_id = @id ORDER BY created_at, user_id LIMIT 10000;", ReadMember, cancellationToken, ("id", teamId)).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TeamMemberRecord>> GetMembershipsAsync(string userId, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {MemberColumns} FROM litellm_team_members WHERE user_id = @id ORDER BY created_at, team_id LIMIT 1000;", ReadMember, cancellationToken, ("id", userId)).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<bool> ReplaceKeyTokenAsync(string oldToken, VirtualKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_keys SET token = @token, key_name = @key_name, expires = @expires, updated_at = @updated_at WHERE token = @old;",
            cancellationToken, ("token", key.Token), ("key_name", key.KeyName), ("expires", key.Expires?.ToUnixTimeMilliseconds()), ("updated_at", key.UpdatedAt.ToUnixTimeMilliseconds()), ("old", oldToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>Schema version 2: users' alias and update time, teams' update time, and team membership.</summary>
    private static string[] ManagementMigration() =>
    [
        "ALTER TABLE litellm_users ADD COLUMN user_alias TEXT;",
        "ALTER TABLE litellm_users ADD COLUMN updated_at BIGINT;",
        "ALTER TABLE litellm_teams ADD COLUMN updated_at BIGINT;",
        "CREATE TABLE IF NOT EXISTS litellm_team_members (team_id TEXT NOT NULL, user_id TEXT NOT NULL, user_email TEXT, role TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (team_id, user_id));",
        "CREATE INDEX IF NOT EXISTS ix_litellm_team_members_user ON litellm_team_members (user_id);",
        "CREATE INDEX IF NOT EXISTS ix_litellm_users_role ON litellm_users (user_role);",
    ];

    private static (string, object?)[] UserParameters(GatewayUserRecord user) =>
    [
        ("user_id", user.UserId), ("user_email", user.UserEmail), ("user_role", user.UserRole), ("models", JsonText.ListToJson(user.Models)),
        ("max_budget", Money(user.MaxBudget)), ("budget_duration", user.BudgetDuration), ("metadata", user.Metadata),
        ("created_at", user.CreatedAt.ToUnixTimeMilliseconds()), ("user_alias", user.UserAlias), ("updated_at", user.UpdatedAt.ToUnixTimeMilliseconds()),
    ];

    private static (string, object?)[] TeamParameters(GatewayTeamRecord team) =>
    [
        ("team_id", team.TeamId), ("team_alias", team.TeamAlias), ("models", JsonText.ListToJson(team.Models)), ("max_budget", Money(team.MaxBudget)),
        ("budget_duration", team.BudgetDuration), ("metadata", team.Metadata), ("blocked", team.Blocked ? 1L : 0L),
        ("created_at", team.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", team.UpdatedAt.ToUnixTimeMilliseconds()),
        ("rpm_limit", team.RpmLimit), ("tpm_limit", team.TpmLimit), ("max_parallel_requests", (long?)team.MaxParallelRequests),
        ("organization_id", team.OrganizationId), ("soft_budget", Money(team.SoftBudget)),
    ];

    private static TeamMemberRecord ReadMember(DbDataReader r) => new(r.GetString(0), r.GetString(1), Str(r, 2), r.GetString(3));

    /// <summary>Deletes rows of <paramref name="table"/> by id together with their memberships, in one transaction.</summary>
    private async Task<IReadOnlyList<string>> DeleteWithMembershipsAsync(string table, string column, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var deleted = new List<string>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            await ExecuteAsync(connection, transaction, $"DELETE FROM litellm_team_members WHERE {column} = @id;", cancellationToken, ("id", id)).ConfigureAwait(false);
            if (column == "user_id")
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM litellm_organization_members WHERE user_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false);
            }
            if (await ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE {column} = @id;", cancellationToken, ("id", id)).ConfigureAwait(false) > 0)
            {
                deleted.Add(id);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }
}
