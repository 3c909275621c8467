using System.Data.Common;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Storage;

/// <summary>Organizations and their members: the top level of the organization → team → user → key hierarchy.</summary>
public sealed partial class SqlGatewayStore : IOrganizationStore
{
    private const string OrgColumns = "organization_id, organization_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, metadata, spend, blocked, created_at, updated_at";
    private const string OrgMemberColumns = "organization_id, user_id, user_email, user_role, created_at, updated_at";

    async Task<bool> IOrganizationStore.InsertOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_organizations ({OrgColumns}) VALUES (@organization_id, @organization_alias, @models, @max_budget, @budget_duration, @rpm_limit, @tpm_limit, @metadata, 0, @blocked, @created_at, @updated_at) ON CONFLICT (organization_id) DO NOTHING;",
            cancellationToken, OrgParameters(organization)).ConfigureAwait(false) > 0;
    }

    async Task<OrganizationRecord?> IOrganizationStore.GetOrganizationAsync(string organizationId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {OrgColumns} FROM litellm_organizations WHERE organization_id = @id;", ReadOrg, cancellationToken, ("id", organizationId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    async Task<bool> IOrganizationStore.UpdateOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_organizations SET organization_alias = @organization_alias, models = @models, max_budget = @max_budget, budget_duration = @budget_duration, rpm_limit = @rpm_limit, tpm_limit = @tpm_limit, metadata = @metadata, blocked = @blocked, updated_at = @updated_at WHERE organization_id = @organization_id;",
            cancellationToken, OrgParameters(organization)).ConfigureAwait(false) > 0;
    }

    async Task<IReadOnlyList<string>> IOrganizationStore.DeleteOrganizationsAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in organizationIds.Distinct(StringComparer.Ordinal))
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM litellm_organization_members WHERE organization_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "UPDATE litellm_teams SET organization_id = NULL WHERE organization_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false);
            if (await ExecuteAsync(connection, transaction, "DELETE FROM litellm_organizations WHERE organization_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false) > 0)
            {
                deleted.Add(id);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    async Task<IReadOnlyList<OrganizationRecord>> IOrganizationStore.ListOrganizationsAsync(IReadOnlyList<string>? organizationIds, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 1000);
        if (organizationIds is null)
        {
            return await QueryAsync($"SELECT {OrgColumns} FROM litellm_organizations ORDER BY created_at, organization_id LIMIT {limit};", ReadOrg, cancellationToken).ConfigureAwait(false);
        }

        var rows = new List<OrganizationRecord>();
        foreach (var id in organizationIds.Distinct(StringComparer.Ordinal).Take(limit))
        {
            if (await ((IOrganizationStore)this).GetOrganizationAsync(id, cancellationToken).ConfigureAwait(false) is { } organization)
            {
                rows.Add(organization);
            }
        }

        return rows;
    }

    async Task IOrganizationStore.UpsertOrgMemberAsync(OrgMemberRecord member, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_organization_members ({OrgMemberColumns}) VALUES (@organization_id, @user_id, @user_email, @user_role, @created_at, @updated_at) ON CONFLICT (organization_id, user_id) DO UPDATE SET user_email = excluded.user_email, user_role = excluded.user_role, updated_at = excluded.updated_at;",
            cancellationToken, ("organization_id", member.OrganizationId), ("user_id", member.UserId), ("user_email", member.UserEmail), ("user_role", member.Role),
            ("created_at", member.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", member.UpdatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    async Task<bool> IOrganizationStore.DeleteOrgMemberAsync(string organizationId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, "DELETE FROM litellm_organization_members WHERE organization_id = @org AND user_id = @user;", cancellationToken, ("org", organizationId), ("user", userId)).ConfigureAwait(false) > 0;
    }

    async Task<IReadOnlyList<OrgMemberRecord>> IOrganizationStore.GetOrgMembersAsync(string organizationId, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {OrgMemberColumns} FROM litellm_organization_members WHERE organization_id = @id ORDER BY created_at, user_id LIMIT 10000;", ReadOrgMember, cancellationToken, ("id", organizationId)).ConfigureAwait(false);

    async Task<IReadOnlyList<OrgMemberRecord>> IOrganizationStore.GetOrgMembershipsAsync(string userId, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {OrgMemberColumns} FROM litellm_organization_members WHERE user_id = @id ORDER BY created_at, organization_id LIMIT 1000;", ReadOrgMember, cancellationToken, ("id", userId)).ConfigureAwait(false);

    async Task<IReadOnlyList<GatewayTeamRecord>> IOrganizationStore.GetOrganizationTeamsAsync(string organizationId, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {TeamColumns} FROM litellm_teams WHERE organization_id = @id ORDER BY created_at, team_id LIMIT 1000;", ReadTeam, cancellationToken, ("id", organizationId)).ConfigureAwait(false);

    /// <summary>An organization's spend since <paramref name="since"/>: the spend rows of its teams (through the team index).</summary>
    private async Task<decimal> GetOrganizationSpendAsync(string organizationId, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        const string Sql = "SELECT COALESCE(SUM(spend), 0) FROM litellm_spend_logs WHERE team_id IN (SELECT team_id FROM litellm_teams WHERE organization_id = @org) AND start_time >= @since;";
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return ToMoney(await ScalarAsync(connection, null, Sql, [("org", organizationId), ("since", since?.ToUnixTimeMilliseconds() ?? long.MinValue)], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Adds a batch's team totals to their organizations' spend (in the batch's transaction, organizations in a fixed order).</summary>
    private static async Task AddOrganizationSpendAsync(DbConnection connection, DbTransaction transaction, Dictionary<string, double> teams, CancellationToken cancellationToken)
    {
        var organizations = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (teamId, amount) in teams)
        {
            if (await ScalarAsync(connection, transaction, "SELECT organization_id FROM litellm_teams WHERE team_id = @id;", [("id", teamId)], cancellationToken).ConfigureAwait(false) is string org)
            {
                organizations[org] = organizations.GetValueOrDefault(org) + amount;
            }
        }

        foreach (var (org, amount) in organizations)
        {
            await ExecuteAsync(connection, transaction, "UPDATE litellm_organizations SET spend = spend + @amount WHERE organization_id = @id;", cancellationToken, ("amount", amount), ("id", org)).ConfigureAwait(false);
        }
    }

    /// <summary>Schema version 5: organizations, their members and the team's organization; customers and the spend row's customer (end_user); shared budgets and the key's budget_id; soft budgets and the alerts sent for them.</summary>
    private static string[] HierarchyMigration(string money) =>
    [
        $"CREATE TABLE IF NOT EXISTS litellm_organizations (organization_id TEXT PRIMARY KEY, organization_alias TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, rpm_limit BIGINT, tpm_limit BIGINT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
        "CREATE TABLE IF NOT EXISTS litellm_organization_members (organization_id TEXT NOT NULL, user_id TEXT NOT NULL, user_email TEXT, user_role TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (organization_id, user_id));",
        "CREATE INDEX IF NOT EXISTS ix_litellm_organization_members_user ON litellm_organization_members (user_id);",
        "ALTER TABLE litellm_teams ADD COLUMN organization_id TEXT;",
        "CREATE INDEX IF NOT EXISTS ix_litellm_teams_organization ON litellm_teams (organization_id);",
        $"CREATE TABLE IF NOT EXISTS litellm_end_users (user_id TEXT PRIMARY KEY, alias TEXT, blocked BIGINT NOT NULL DEFAULT 0, max_budget {money}, budget_duration TEXT, budget_id TEXT, allowed_model_region TEXT, default_model TEXT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
        "ALTER TABLE litellm_spend_logs ADD COLUMN end_user TEXT;",
        "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_end_user ON litellm_spend_logs (end_user, start_time);",
        $"CREATE TABLE IF NOT EXISTS litellm_budgets (budget_id TEXT PRIMARY KEY, max_budget {money}, soft_budget {money}, budget_duration TEXT, rpm_limit BIGINT, tpm_limit BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
        "ALTER TABLE litellm_keys ADD COLUMN budget_id TEXT;",
        $"ALTER TABLE litellm_keys ADD COLUMN soft_budget {money};",
        $"ALTER TABLE litellm_teams ADD COLUMN soft_budget {money};",
        $"ALTER TABLE litellm_end_users ADD COLUMN soft_budget {money};",
        "CREATE TABLE IF NOT EXISTS litellm_budget_alerts (scope TEXT NOT NULL, id TEXT NOT NULL, window_start BIGINT NOT NULL, sent_at BIGINT NOT NULL, PRIMARY KEY (scope, id, window_start));",
    ];

    private static (string, object?)[] OrgParameters(OrganizationRecord o) =>
    [
        ("organization_id", o.OrganizationId), ("organization_alias", o.OrganizationAlias), ("models", JsonText.ListToJson(o.Models)),
        ("max_budget", Money(o.MaxBudget)), ("budget_duration", o.BudgetDuration), ("rpm_limit", o.RpmLimit), ("tpm_limit", o.TpmLimit),
        ("metadata", o.Metadata), ("blocked", o.Blocked ? 1L : 0L), ("created_at", o.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", o.UpdatedAt.ToUnixTimeMilliseconds()),
    ];

    private static OrganizationRecord ReadOrg(DbDataReader r) => new()
    {
        OrganizationId = r.GetString(0),
        OrganizationAlias = Str(r, 1),
        Models = JsonText.ParseList(Str(r, 2)),
        MaxBudget = NullableMoney(r, 3),
        BudgetDuration = Str(r, 4),
        RpmLimit = Long(r, 5),
        TpmLimit = Long(r, 6),
        Metadata = Str(r, 7),
        Spend = NullableMoney(r, 8) ?? 0m,
        Blocked = Long(r, 9) is 1,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 10) ?? 0),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 11) ?? 0),
    };

    private static OrgMemberRecord ReadOrgMember(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), Str(r, 2), r.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 4) ?? 0), DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 5) ?? 0));
}
