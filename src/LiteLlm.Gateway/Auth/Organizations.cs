namespace LiteLlm.Gateway.Auth;

/// <summary>
/// An organization (LiteLLM's <c>LiteLLM_OrganizationTable</c> with its budget row folded in): the top of the
/// organization → team → user → key hierarchy. Its models, budget and rpm/tpm bound every team in it.
/// </summary>
internal sealed record OrganizationRecord
{
    public required string OrganizationId { get; init; }

    public string? OrganizationAlias { get; init; }

    /// <summary>Gets the model groups the organization's teams may call; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    public decimal? MaxBudget { get; init; }

    public string? BudgetDuration { get; init; }

    /// <summary>Gets the requests per minute shared by all the organization's teams and keys.</summary>
    public long? RpmLimit { get; init; }

    /// <summary>Gets the tokens per minute shared by all the organization's teams and keys.</summary>
    public long? TpmLimit { get; init; }

    public string? Metadata { get; init; }

    /// <summary>Gets the spend of the organization's teams in USD.</summary>
    public decimal Spend { get; init; }

    public bool Blocked { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A user's membership of an organization; <see cref="Role"/> is <c>org_admin</c>, <c>internal_user</c> or <c>internal_user_viewer</c>.</summary>
internal sealed record OrgMemberRecord(string OrganizationId, string UserId, string? UserEmail, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Storage of organizations and their members (the SQL store implements it beside <see cref="IKeyStore"/>).</summary>
internal interface IOrganizationStore
{
    Task<bool> InsertOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken);

    Task<OrganizationRecord?> GetOrganizationAsync(string organizationId, CancellationToken cancellationToken);

    /// <summary>Replaces the organization's mutable fields (not its spend); false when it does not exist.</summary>
    Task<bool> UpdateOrganizationAsync(OrganizationRecord organization, CancellationToken cancellationToken);

    /// <summary>Deletes organizations and their memberships; their teams stay, outside any organization. Returns the ids that existed.</summary>
    Task<IReadOnlyList<string>> DeleteOrganizationsAsync(IReadOnlyList<string> organizationIds, CancellationToken cancellationToken);

    /// <summary>Lists organizations (at most <paramref name="limit"/>), or only those in <paramref name="organizationIds"/> when given.</summary>
    Task<IReadOnlyList<OrganizationRecord>> ListOrganizationsAsync(IReadOnlyList<string>? organizationIds, int limit, CancellationToken cancellationToken);

    Task UpsertOrgMemberAsync(OrgMemberRecord member, CancellationToken cancellationToken);

    Task<bool> DeleteOrgMemberAsync(string organizationId, string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<OrgMemberRecord>> GetOrgMembersAsync(string organizationId, CancellationToken cancellationToken);

    Task<IReadOnlyList<OrgMemberRecord>> GetOrgMembershipsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Gets the teams of an organization (at most 1,000).</summary>
    Task<IReadOnlyList<GatewayTeamRecord>> GetOrganizationTeamsAsync(string organizationId, CancellationToken cancellationToken);
}
