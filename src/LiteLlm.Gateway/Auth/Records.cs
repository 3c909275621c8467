using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Auth;

/// <summary>A virtual key as stored (LiteLLM's <c>LiteLLM_VerificationToken</c>); <see cref="Token"/> is the SHA-256 hash, never the key.</summary>
public sealed record VirtualKeyRecord
{
    /// <summary>Gets the SHA-256 hex hash of the key (the key id).</summary>
    public required string Token { get; init; }

    /// <summary>Gets the display form <c>sk-...abcd</c>.</summary>
    public string? KeyName { get; init; }

    /// <summary>Gets the key's alias (<c>key_alias</c>), or null.</summary>
    public string? KeyAlias { get; init; }

    /// <summary>Gets the user the key belongs to, or null.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the team the key belongs to, or null.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the model groups the key may call; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the key's budget in USD (<c>max_budget</c>), or null for none.</summary>
    public decimal? MaxBudget { get; init; }

    /// <summary>Gets the budget's period (<c>budget_duration</c>, e.g. <c>30d</c>), or null when it never resets.</summary>
    public string? BudgetDuration { get; init; }

    /// <summary>Gets the spend at which an alert fires once per budget window (<c>soft_budget</c>), refusing nothing; or null.</summary>
    public decimal? SoftBudget { get; init; }

    /// <summary>Gets the shared budget (<c>/budget/new</c>) whose limits apply where the key sets none of its own, or null.</summary>
    public string? BudgetId { get; init; }

    /// <summary>Gets the key's requests-per-minute limit (<c>rpm_limit</c>), or null for none.</summary>
    public long? RpmLimit { get; init; }

    /// <summary>Gets the key's tokens-per-minute limit (<c>tpm_limit</c>), or null for none.</summary>
    public long? TpmLimit { get; init; }

    /// <summary>Gets the most calls the key may have in flight (<c>max_parallel_requests</c>), or null for no limit.</summary>
    public int? MaxParallelRequests { get; init; }

    /// <summary>Gets when the key stops working, or null for never.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Gets the metadata as a JSON object string.</summary>
    public string? Metadata { get; init; }

    /// <summary>Gets the key's spend in USD.</summary>
    public decimal Spend { get; init; }

    /// <summary>Gets a value indicating whether the key is blocked.</summary>
    public bool Blocked { get; init; }

    /// <summary>Gets when the key was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the key was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>An internal user (LiteLLM's <c>LiteLLM_UserTable</c>).</summary>
public sealed record GatewayUserRecord
{
    /// <summary>Gets the user's id.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the user's e-mail, or null.</summary>
    public string? UserEmail { get; init; }

    /// <summary>Gets the user's role (LiteLLM's <c>user_role</c>, e.g. <c>internal_user</c>), or null.</summary>
    public string? UserRole { get; init; }

    /// <summary>Gets the user's alias, or null.</summary>
    public string? UserAlias { get; init; }

    /// <summary>Gets the model groups the user may call; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the user's budget in USD, or null for none.</summary>
    public decimal? MaxBudget { get; init; }

    /// <summary>Gets the budget's period (e.g. <c>30d</c>), or null when it never resets.</summary>
    public string? BudgetDuration { get; init; }

    /// <summary>Gets the metadata as a JSON object string.</summary>
    public string? Metadata { get; init; }

    /// <summary>Gets the user's spend in USD.</summary>
    public decimal Spend { get; init; }

    /// <summary>Gets when the user was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the user was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A team (LiteLLM's <c>LiteLLM_TeamTable</c>).</summary>
public sealed record GatewayTeamRecord
{
    /// <summary>Gets the team's id.</summary>
    public required string TeamId { get; init; }

    /// <summary>Gets the team's alias, or null.</summary>
    public string? TeamAlias { get; init; }

    /// <summary>Gets the spend at which an alert fires once per budget window (<c>soft_budget</c>), refusing nothing; or null.</summary>
    public decimal? SoftBudget { get; init; }

    /// <summary>Gets the organization the team belongs to (its models, budget and rpm/tpm bound the team), or null.</summary>
    public string? OrganizationId { get; init; }

    /// <summary>Gets the model groups the team may call; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>Gets the team's budget in USD, or null for none.</summary>
    public decimal? MaxBudget { get; init; }

    /// <summary>Gets the budget's period (e.g. <c>30d</c>), or null when it never resets.</summary>
    public string? BudgetDuration { get; init; }

    /// <summary>Gets the team's requests per minute, shared by all its keys (and by every replica with Redis).</summary>
    public long? RpmLimit { get; init; }

    /// <summary>Gets the team's tokens per minute, shared by all its keys (and by every replica with Redis).</summary>
    public long? TpmLimit { get; init; }

    /// <summary>Gets how many of the team's requests may be in flight at once, across its keys and replicas.</summary>
    public int? MaxParallelRequests { get; init; }

    /// <summary>Gets the metadata as a JSON object string.</summary>
    public string? Metadata { get; init; }

    /// <summary>Gets the team's spend in USD.</summary>
    public decimal Spend { get; init; }

    /// <summary>Gets a value indicating whether the team is blocked.</summary>
    public bool Blocked { get; init; }

    /// <summary>Gets when the team was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the team was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A user's membership of a team (LiteLLM's <c>members_with_roles</c> entry); <see cref="Role"/> is <c>admin</c> or <c>user</c>.</summary>
public sealed record TeamMemberRecord(string TeamId, string UserId, string? UserEmail, string Role);

/// <summary>One page of users.</summary>
public sealed record UserPage(IReadOnlyList<GatewayUserRecord> Users, long TotalCount);

/// <summary>Filters for listing users.</summary>
public sealed record UserListQuery(int Page = 1, int PageSize = 25, string? Role = null, IReadOnlyList<string>? UserIds = null);

/// <summary>One page of keys.</summary>
public sealed record KeyPage(IReadOnlyList<VirtualKeyRecord> Keys, long TotalCount);

/// <summary>Filters for listing keys.</summary>
public sealed record KeyListQuery(int Page = 1, int PageSize = 10, string? UserId = null, string? TeamId = null, string? KeyAlias = null);

/// <summary>Storage of virtual keys, users and teams. Implementations create their schema in <see cref="InitializeAsync"/>.</summary>
public interface IKeyStore
{
    /// <summary>Creates or migrates the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Gets a key by its hash, or null when there is none.</summary>
    /// <param name="token">The key's SHA-256 hash.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<VirtualKeyRecord?> GetKeyAsync(string token, CancellationToken cancellationToken);

    /// <summary>Inserts a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task InsertKeyAsync(VirtualKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Replaces the key's mutable fields (not its spend); false when it does not exist.</summary>
    Task<bool> UpdateKeyAsync(VirtualKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Deletes keys by hash; returns the hashes that existed.</summary>
    Task<IReadOnlyList<string>> DeleteKeysAsync(IReadOnlyList<string> tokens, CancellationToken cancellationToken);

    /// <summary>Lists one page of keys.</summary>
    /// <param name="query">The filters and page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<KeyPage> ListKeysAsync(KeyListQuery query, CancellationToken cancellationToken);

    /// <summary>Gets a user by id, or null when there is none.</summary>
    /// <param name="userId">The user's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<GatewayUserRecord?> GetUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Inserts a user; false when the id is taken.</summary>
    Task<bool> InsertUserAsync(GatewayUserRecord user, CancellationToken cancellationToken);

    /// <summary>Gets a team by id, or null when there is none.</summary>
    /// <param name="teamId">The team's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<GatewayTeamRecord?> GetTeamAsync(string teamId, CancellationToken cancellationToken);

    /// <summary>Inserts a team; false when the id is taken.</summary>
    Task<bool> InsertTeamAsync(GatewayTeamRecord team, CancellationToken cancellationToken);

    /// <summary>Replaces a user's mutable fields (not its spend); false when it does not exist.</summary>
    Task<bool> UpdateUserAsync(GatewayUserRecord user, CancellationToken cancellationToken);

    /// <summary>Deletes users and their team memberships; returns the ids that existed.</summary>
    Task<IReadOnlyList<string>> DeleteUsersAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken);

    /// <summary>Lists one page of users.</summary>
    /// <param name="query">The filters and page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<UserPage> ListUsersAsync(UserListQuery query, CancellationToken cancellationToken);

    /// <summary>Finds a user by e-mail (the first created, when several share it).</summary>
    Task<GatewayUserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>Replaces a team's mutable fields (not its spend); false when it does not exist.</summary>
    Task<bool> UpdateTeamAsync(GatewayTeamRecord team, CancellationToken cancellationToken);

    /// <summary>Deletes teams and their memberships; returns the ids that existed.</summary>
    Task<IReadOnlyList<string>> DeleteTeamsAsync(IReadOnlyList<string> teamIds, CancellationToken cancellationToken);

    /// <summary>Lists teams (at most <paramref name="limit"/>), or only those in <paramref name="teamIds"/> when given.</summary>
    Task<IReadOnlyList<GatewayTeamRecord>> ListTeamsAsync(IReadOnlyList<string>? teamIds, int limit, CancellationToken cancellationToken);

    /// <summary>Adds a member to a team, or changes the member's role and e-mail.</summary>
    Task UpsertTeamMemberAsync(TeamMemberRecord member, CancellationToken cancellationToken);

    /// <summary>Removes a member from a team; false when the user was not a member.</summary>
    Task<bool> DeleteTeamMemberAsync(string teamId, string userId, CancellationToken cancellationToken);

    /// <summary>Gets a team's members.</summary>
    /// <param name="teamId">The team's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<IReadOnlyList<TeamMemberRecord>> GetTeamMembersAsync(string teamId, CancellationToken cancellationToken);

    /// <summary>Gets the teams a user is a member of.</summary>
    Task<IReadOnlyList<TeamMemberRecord>> GetMembershipsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Gives a key a new secret: its row moves from <paramref name="oldToken"/> to <paramref name="key"/>'s token (spend and limits kept).</summary>
    Task<bool> ReplaceKeyTokenAsync(string oldToken, VirtualKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Checks that the database answers.</summary>
    Task<bool> CheckDatabaseAsync(CancellationToken cancellationToken = default);
}

internal static class JsonText
{
    public static string[] ParseList(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        return JsonNode.Parse(json) is JsonArray array ? [.. array.Select(n => n?.GetValue<string>()).OfType<string>()] : [];
    }

    public static string ListToJson(IReadOnlyList<string> list) => new JsonArray([.. list.Select(s => (JsonNode?)JsonValue.Create(s))]).ToJsonString();
}
