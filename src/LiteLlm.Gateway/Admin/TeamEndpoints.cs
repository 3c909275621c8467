using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's team endpoints: /team/new, /team/info, /team/list, /team/update, /team/delete, /team/member_add,
/// /team/member_delete. A team's admins (member role <c>admin</c>) manage its settings, members and keys.
/// </summary>
internal static class TeamEndpoints
{
    private const string NeedsTeamAdmin = "the role 'proxy_admin' or the team role 'admin' in this team";
    private const string NeedsAdminOrOrgAdmin = "the role 'proxy_admin', or the organization role 'org_admin' in the team's organization";
    private const string NeedsTeamMember = "the role 'proxy_admin' or 'proxy_admin_viewer', or membership of this team";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/team/new", AdminEndpoints.Guarded(NewAsync));
        endpoints.MapGet("/team/info", AdminEndpoints.Guarded(InfoAsync));
        endpoints.MapGet("/team/list", AdminEndpoints.Guarded(ListAsync));
        endpoints.MapPost("/team/update", AdminEndpoints.Guarded(UpdateAsync));
        endpoints.MapPost("/team/delete", AdminEndpoints.Guarded(DeleteAsync));
        endpoints.MapPost("/team/member_add", AdminEndpoints.Guarded(MemberAddAsync));
        endpoints.MapPost("/team/member_delete", AdminEndpoints.Guarded(MemberDeleteAsync));
    }

    /// <summary>Creates a team: <c>proxy_admin</c>, or an <c>org_admin</c> creating it in their organization.</summary>
    private static async Task NewAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var orgId = input.String("organization_id");
        caller.Require(caller.IsAdmin || (orgId is not null && caller.IsOrgAdmin(orgId)), NeedsAdminOrOrgAdmin);
        var now = Time(context).GetUtcNow();
        var team = Apply(new GatewayTeamRecord { TeamId = input.String("team_id") ?? Guid.NewGuid().ToString(), OrganizationId = orgId, CreatedAt = now, UpdatedAt = now }, input);
        var members = ReadMembers(input, "members_with_roles", team.TeamId);
        input.RefuseUnknown();
        await OrganizationEndpoints.CheckTeamFitsAsync(context, team);
        var store = Store(context);
        if (!await store.InsertTeamAsync(team, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"The team '{team.TeamId}' already exists.", "team_id", "team_exists");
        }

        await AddMembersAsync(context, members, now);
        await AdminQuery.WriteAsync(context, AdminShapes.TeamRow(team, await store.GetTeamMembersAsync(team.TeamId, context.RequestAborted)));
    }

    /// <summary>A team's members (and a key of the team) read its info; viewers and admins read any team's.</summary>
    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var teamId = AdminQuery.Str(context, "team_id") ?? caller.KeyTeamId ?? throw GatewayErrors.Invalid("'team_id' is required.", "team_id", "missing_field");
        var store = Store(context);
        var team = await store.GetTeamAsync(teamId, context.RequestAborted);
        caller.Require(caller.IsTeamMember(teamId), NeedsTeamMember);
        if (team is null)
        {
            throw NotFound();
        }

        var members = await store.GetTeamMembersAsync(teamId, context.RequestAborted);
        var keys = caller.ReadsAll || caller.IsTeamAdmin(teamId)
            ? (await store.ListKeysAsync(new KeyListQuery(1, 100, TeamId: teamId), context.RequestAborted)).Keys
            : [];
        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["team_id"] = team.TeamId,
            ["team_info"] = AdminShapes.TeamRow(team, members),
            ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode?)AdminShapes.KeyRow(k))]),
            ["team_memberships"] = new JsonArray([.. members.Select(m => (JsonNode?)AdminShapes.Membership(m))]),
        });
    }

    /// <summary>All teams for viewers and admins (bounded at 1000); the caller's own teams for anyone else. A JSON array, as LiteLLM answers.</summary>
    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var store = Store(context);
        IReadOnlyList<string>? only = caller.ReadsAll ? null : caller.TeamIds;
        if (AdminQuery.Str(context, "user_id") is { } userId)
        {
            caller.Require(caller.ReadsAll || userId == caller.UserId, "the role 'proxy_admin' or 'proxy_admin_viewer', or to be that user");
            only = [.. (await store.GetMembershipsAsync(userId, context.RequestAborted)).Select(m => m.TeamId)];
        }

        var rows = new JsonArray();
        foreach (var team in await store.ListTeamsAsync(only, 1000, context.RequestAborted))
        {
            rows.Add(AdminShapes.TeamRow(team, await store.GetTeamMembersAsync(team.TeamId, context.RequestAborted)));
        }

        await AdminQuery.WriteAsync(context, rows);
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var (store, team) = await TeamFromBodyAsync(context, input, caller);
        var orgId = input.String("organization_id");
        if (orgId is not null && orgId != team.OrganizationId)
        {
            caller.Require(caller.IsOrgAdmin(orgId), NeedsAdminOrOrgAdmin); // moving a team into an organization is its admin's call
        }

        var updated = Apply(team, input) with { OrganizationId = orgId ?? team.OrganizationId, UpdatedAt = Time(context).GetUtcNow() };
        input.RefuseUnknown();
        await OrganizationEndpoints.CheckTeamFitsAsync(context, updated);
        await store.UpdateTeamAsync(updated, context.RequestAborted);
        Gate(context).InvalidateScope(SpendScope.Team, updated.TeamId);
        var row = AdminShapes.TeamRow(updated, await store.GetTeamMembersAsync(updated.TeamId, context.RequestAborted));
        await AdminQuery.WriteAsync(context, new JsonObject { ["team_id"] = updated.TeamId, ["data"] = row });
    }

    /// <summary>Deletes teams, their memberships and their keys (as LiteLLM does).</summary>
    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("team_ids") ?? throw GatewayErrors.Invalid("'team_ids' is required.", "team_ids", "missing_field");
        input.RefuseUnknown();
        var store = Store(context);
        var deletedKeys = new List<string>();
        foreach (var id in ids)
        {
            var keys = await store.ListKeysAsync(new KeyListQuery(1, 1000, TeamId: id), context.RequestAborted);
            deletedKeys.AddRange(await store.DeleteKeysAsync([.. keys.Keys.Select(k => k.Token)], context.RequestAborted));
        }

        var deleted = await store.DeleteTeamsAsync(ids, context.RequestAborted);
        deletedKeys.ForEach(Gate(context).Invalidate);
        foreach (var id in deleted)
        {
            Gate(context).InvalidateScope(SpendScope.Team, id);
        }

        await AdminQuery.WriteAsync(context, new JsonObject { ["deleted_teams"] = AdminShapes.Strings(deleted), ["deleted_keys"] = deletedKeys.Count });
    }

    /// <summary>Adds members (<c>member</c>: one or a list of <c>{role, user_id | user_email}</c>); unknown users are created, as LiteLLM does.</summary>
    private static async Task MemberAddAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var (store, team) = await TeamFromBodyAsync(context, input, caller);
        var members = ReadMembers(input, "member", team.TeamId);
        input.RefuseUnknown();
        if (members.Count == 0)
        {
            throw GatewayErrors.Invalid("'member' is required.", "member", "missing_field");
        }

        var users = await AddMembersAsync(context, members, Time(context).GetUtcNow());
        var json = AdminShapes.TeamRow(team, await store.GetTeamMembersAsync(team.TeamId, context.RequestAborted));
        json["updated_users"] = new JsonArray([.. users.Select(u => (JsonNode?)AdminShapes.UserRow(u, [team.TeamId]))]);
        json["updated_team_memberships"] = new JsonArray([.. members.Select(m => (JsonNode?)AdminShapes.Membership(m))]);
        await AdminQuery.WriteAsync(context, json);
    }

    private static async Task MemberDeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var (store, team) = await TeamFromBodyAsync(context, input, caller);
        var userId = input.String("user_id");
        var email = input.String("user_email");
        input.RefuseUnknown();
        userId ??= email is null
            ? throw GatewayErrors.Invalid("Either 'user_id' or 'user_email' must be provided.", "user_id", "missing_field")
            : (await store.FindUserByEmailAsync(email, context.RequestAborted))?.UserId;
        if (userId is null || !await store.DeleteTeamMemberAsync(team.TeamId, userId, context.RequestAborted))
        {
            throw new GatewayRequestException(new GatewayError(404, $"The user is not a member of the team '{team.TeamId}'.", "invalid_request_error", "member_not_found", "user_id"));
        }

        await AdminQuery.WriteAsync(context, AdminShapes.TeamRow(team, await store.GetTeamMembersAsync(team.TeamId, context.RequestAborted)));
    }

    /// <summary>Reads <c>team_id</c> from the body, requires the caller to administer that team, and loads it.</summary>
    private static async Task<(IKeyStore Store, GatewayTeamRecord Team)> TeamFromBodyAsync(HttpContext context, AdminInput input, AdminCaller caller)
    {
        var teamId = input.String("team_id") ?? throw GatewayErrors.Invalid("'team_id' is required.", "team_id", "missing_field");
        caller.Require(caller.IsTeamAdmin(teamId), NeedsTeamAdmin);
        var store = Store(context);
        return (store, await store.GetTeamAsync(teamId, context.RequestAborted) ?? throw NotFound());
    }

    private static List<TeamMemberRecord> ReadMembers(AdminInput input, string field, string teamId)
    {
        var members = new List<TeamMemberRecord>();
        foreach (var member in input.Objects(field) ?? [])
        {
            var role = member.String("role") ?? Roles.TeamMember;
            var userId = member.String("user_id");
            var email = member.String("user_email");
            member.RefuseUnknown(field);
            if (role is not (Roles.TeamAdmin or Roles.TeamMember))
            {
                throw GatewayErrors.Invalid($"'{field}.role' must be 'admin' or 'user'; got '{role}'.", field + ".role", "invalid_field");
            }

            if (userId is null && email is null)
            {
                throw GatewayErrors.Invalid($"Each '{field}' needs 'user_id' or 'user_email'.", field + ".user_id", "missing_field");
            }

            members.Add(new TeamMemberRecord(teamId, userId ?? string.Empty, email, role));
        }

        return members;
    }

    /// <summary>Stores memberships, creating users that do not exist yet (found by e-mail when only that is given).</summary>
    private static async Task<List<GatewayUserRecord>> AddMembersAsync(HttpContext context, List<TeamMemberRecord> members, DateTimeOffset now)
    {
        var store = Store(context);
        var users = new List<GatewayUserRecord>();
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var user = await AdminUsers.FindOrCreateAsync(context, m.UserId.Length > 0 ? m.UserId : null, m.UserEmail, now);
            members[i] = m with { UserId = user.UserId, UserEmail = m.UserEmail ?? user.UserEmail };
            await store.UpsertTeamMemberAsync(members[i], context.RequestAborted);
            users.Add(user);
        }

        return users;
    }

    private static GatewayTeamRecord Apply(GatewayTeamRecord team, AdminInput input) => team with
    {
        TeamAlias = input.String("team_alias") ?? team.TeamAlias,
        Models = input.Strings("models") ?? team.Models,
        MaxBudget = input.Money("max_budget") ?? team.MaxBudget,
        SoftBudget = input.Money("soft_budget") ?? team.SoftBudget,
        RpmLimit = input.Count("rpm_limit") ?? team.RpmLimit,
        TpmLimit = input.Count("tpm_limit") ?? team.TpmLimit,
        MaxParallelRequests = input.Count("max_parallel_requests") is { } parallel ? (int)Math.Min(parallel, int.MaxValue) : team.MaxParallelRequests,
        BudgetDuration = AdminEndpoints.BudgetDuration(input) ?? team.BudgetDuration,
        Metadata = input.Object("metadata")?.ToJsonString() ?? team.Metadata,
        Blocked = input.Bool("blocked") ?? team.Blocked,
    };

    private static GatewayRequestException NotFound() => new(new GatewayError(404, "Team not found.", "invalid_request_error", "team_not_found", "team_id"));

    private static IKeyStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IKeyStore>();

    private static KeyGate Gate(HttpContext context) => context.RequestServices.GetRequiredService<KeyGate>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}

/// <summary>The users that membership endpoints (teams, organizations) name: found by id or e-mail, or created as LiteLLM does.</summary>
internal static class AdminUsers
{
    /// <summary>Finds the user by id (or by e-mail when only that is given), creating an <c>internal_user</c> when there is none.</summary>
    public static async Task<GatewayUserRecord> FindOrCreateAsync(HttpContext context, string? userId, string? email, DateTimeOffset now)
    {
        var store = context.RequestServices.GetRequiredService<IKeyStore>();
        var user = userId is not null ? await store.GetUserAsync(userId, context.RequestAborted) : await store.FindUserByEmailAsync(email!, context.RequestAborted);
        if (user is null)
        {
            user = new GatewayUserRecord { UserId = userId ?? Guid.NewGuid().ToString(), UserEmail = email, UserRole = Roles.Default, CreatedAt = now, UpdatedAt = now };
            await store.InsertUserAsync(user, context.RequestAborted);
        }

        return user;
    }
}
