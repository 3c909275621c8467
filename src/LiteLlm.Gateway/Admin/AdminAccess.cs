using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Admin;

/// <summary>LiteLLM's user roles (<c>LitellmUserRoles</c>) and team member roles.</summary>
internal static class Roles
{
    public const string ProxyAdmin = "proxy_admin";
    public const string ProxyAdminViewer = "proxy_admin_viewer";
    public const string InternalUser = "internal_user";
    public const string InternalUserViewer = "internal_user_viewer";

    /// <summary>A team member who manages the team (LiteLLM's team role <c>admin</c>).</summary>
    public const string TeamAdmin = "admin";

    /// <summary>A plain team member (LiteLLM's team role <c>user</c>).</summary>
    public const string TeamMember = "user";

    /// <summary>An organization member who manages the organization's members and teams (LiteLLM's <c>org_admin</c>).</summary>
    public const string OrgAdmin = "org_admin";

    /// <summary>The role a user gets when created without one (LiteLLM's default for <c>/user/new</c>).</summary>
    public const string Default = InternalUser;

    public static bool IsUserRole(string role) => role is ProxyAdmin or ProxyAdminViewer or InternalUser or InternalUserViewer;

    /// <summary>Gets whether <paramref name="role"/> is an organization member role (LiteLLM refuses <c>proxy_admin</c> there).</summary>
    public static bool IsOrgRole(string role) => role is OrgAdmin or InternalUser or InternalUserViewer;
}

/// <summary>
/// Who calls a management endpoint and what they may do: the master key is <c>proxy_admin</c>; a virtual key takes the
/// role of its user (<c>user_role</c>, <c>internal_user</c> when unset) and the team roles of that user; a key without a
/// user (or whose user was never created) has no role and may only read itself, its own spend and its own team.
/// </summary>
internal sealed record AdminCaller(bool IsMaster, string? Role, string? UserId, string? KeyId, string? KeyTeamId, IReadOnlyList<TeamMemberRecord> Memberships)
{
    public bool IsAdmin => Role == Roles.ProxyAdmin;

    /// <summary>Gets whether the caller may read everything (<c>proxy_admin</c>, <c>proxy_admin_viewer</c>).</summary>
    public bool ReadsAll => Role is Roles.ProxyAdmin or Roles.ProxyAdminViewer;

    /// <summary>Gets whether the caller may create and change its own keys (<c>internal_user</c>).</summary>
    public bool ManagesOwnKeys => Role is Roles.InternalUser;

    /// <summary>Gets the caller's organization memberships.</summary>
    public IReadOnlyList<OrgMemberRecord> OrgMemberships { get; init; } = [];

    /// <summary>Gets the teams of the organizations the caller is <c>org_admin</c> of (it administers them, as LiteLLM's org admins do).</summary>
    public IReadOnlySet<string> OrgAdminTeams { get; init; } = new HashSet<string>();

    public bool IsTeamAdmin(string? teamId)
        => IsAdmin || (teamId is not null && (Memberships.Any(m => m.TeamId == teamId && m.Role == Roles.TeamAdmin) || OrgAdminTeams.Contains(teamId)));

    public bool IsTeamMember(string? teamId)
        => ReadsAll || (teamId is not null && (KeyTeamId == teamId || Memberships.Any(m => m.TeamId == teamId) || OrgAdminTeams.Contains(teamId)));

    /// <summary>Gets whether the caller administers the organization (<c>proxy_admin</c>, or its <c>org_admin</c>).</summary>
    public bool IsOrgAdmin(string? organizationId)
        => IsAdmin || (organizationId is not null && OrgMemberships.Any(m => m.OrganizationId == organizationId && m.Role == Roles.OrgAdmin));

    /// <summary>Gets whether the caller may read the organization (viewers and admins, or any of its members).</summary>
    public bool IsOrgMember(string? organizationId)
        => ReadsAll || (organizationId is not null && OrgMemberships.Any(m => m.OrganizationId == organizationId));

    /// <summary>Gets the teams the caller belongs to (its memberships and its key's team).</summary>
    public IReadOnlyList<string> TeamIds => [.. Memberships.Select(m => m.TeamId).Append(KeyTeamId).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>Gets whether the caller may read <paramref name="key"/>: itself, its own user's keys, its teams' keys as team admin, or all.</summary>
    public bool CanRead(VirtualKeyRecord key)
        => ReadsAll || key.Token == KeyId || (UserId is not null && key.UserId == UserId) || (key.TeamId is not null && IsTeamAdmin(key.TeamId));

    /// <summary>Gets whether the caller may change <paramref name="key"/>: as <c>proxy_admin</c>, as its <c>internal_user</c>, or as its team's admin.</summary>
    public bool CanWrite(VirtualKeyRecord key)
        => IsAdmin || (ManagesOwnKeys && UserId is not null && key.UserId == UserId) || (key.TeamId is not null && IsTeamAdmin(key.TeamId));

    public string Describe() => IsMaster ? "the master key" : Role is null ? "a key without a user (no role)" : $"role '{Role}'";

    /// <summary>The 403 that names the role the route needs and the role the caller has.</summary>
    public GatewayError Forbidden(string needed)
        => new(403, $"This call requires {needed}; the caller has {Describe()}.", "permission_error", "forbidden");
}

/// <summary>Authenticates a management call and resolves the caller's roles.</summary>
internal static class AdminAccess
{
    /// <summary>What the admin-only routes need.</summary>
    public const string NeedsAdmin = "the role 'proxy_admin'";

    /// <summary>What the read-everything routes need.</summary>
    public const string NeedsAdminOrViewer = "the role 'proxy_admin' or 'proxy_admin_viewer'";

    /// <summary>Authenticates the caller (401 on a missing or invalid key) and loads its user's role and team memberships.</summary>
    public static async Task<AdminCaller> CallerAsync(HttpContext context)
    {
        var gate = context.RequestServices.GetRequiredService<IRequestGate>();
        var auth = await gate.AuthenticateAsync(context, context.RequestAborted).ConfigureAwait(false);
        if (auth.Error is { } error)
        {
            throw new GatewayRequestException(error);
        }

        var identity = auth.Value!;
        if (identity.IsMaster)
        {
            return new AdminCaller(true, Roles.ProxyAdmin, null, null, null, []);
        }

        var store = context.RequestServices.GetRequiredService<IKeyStore>();
        if (identity.UserId is not { } userId)
        {
            return new AdminCaller(false, null, null, identity.KeyId, identity.TeamId, []);
        }

        // A user that was never created (a key's user_id names no user row) has no role.
        var user = await store.GetUserAsync(userId, context.RequestAborted).ConfigureAwait(false);
        var memberships = await store.GetMembershipsAsync(userId, context.RequestAborted).ConfigureAwait(false);
        var orgs = context.RequestServices.GetService<IOrganizationStore>();
        IReadOnlyList<OrgMemberRecord> orgMemberships = user is null || orgs is null ? [] : await orgs.GetOrgMembershipsAsync(userId, context.RequestAborted).ConfigureAwait(false);
        var orgAdminTeams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in orgMemberships.Where(m => m.Role == Roles.OrgAdmin))
        {
            orgAdminTeams.UnionWith((await orgs!.GetOrganizationTeamsAsync(m.OrganizationId, context.RequestAborted).ConfigureAwait(false)).Select(t => t.TeamId));
        }

        return new AdminCaller(false, user is null ? null : user.UserRole ?? Roles.Default, userId, identity.KeyId, identity.TeamId, memberships)
        {
            OrgMemberships = orgMemberships,
            OrgAdminTeams = orgAdminTeams,
        };
    }

    /// <summary>Refuses with 403 naming <paramref name="needed"/> unless <paramref name="allowed"/>.</summary>
    public static void Require(this AdminCaller caller, bool allowed, string needed)
    {
        if (!allowed)
        {
            throw new GatewayRequestException(caller.Forbidden(needed));
        }
    }
}
