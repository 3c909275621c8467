using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's organization endpoints: /organization/new, /update, /delete, /list, /info, /member_add, /member_update,
/// /member_delete. An organization's <c>org_admin</c> members manage its members and its teams; any member reads it.
/// </summary>
internal static class OrganizationEndpoints
{
    private const string NeedsOrgAdmin = "the role 'proxy_admin' or the organization role 'org_admin' in this organization";
    private const string NeedsOrgMember = "the role 'proxy_admin' or 'proxy_admin_viewer', or membership of this organization";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/organization/new", AdminEndpoints.Guarded(NewAsync));
        // LiteLLM serves update as PATCH and the deletes as DELETE with a body; POST is accepted too, as its older clients send.
        endpoints.MapMethods("/organization/update", ["PATCH", "POST"], AdminEndpoints.Guarded(UpdateAsync));
        endpoints.MapMethods("/organization/delete", ["DELETE", "POST"], AdminEndpoints.Guarded(DeleteAsync));
        endpoints.MapGet("/organization/list", AdminEndpoints.Guarded(ListAsync));
        endpoints.MapGet("/organization/info", AdminEndpoints.Guarded(InfoAsync));
        endpoints.MapPost("/organization/info", AdminEndpoints.Guarded(InfoManyAsync));
        endpoints.MapPost("/organization/member_add", AdminEndpoints.Guarded(MemberAddAsync));
        endpoints.MapMethods("/organization/member_update", ["PATCH", "POST"], AdminEndpoints.Guarded(MemberUpdateAsync));
        endpoints.MapMethods("/organization/member_delete", ["DELETE", "POST"], AdminEndpoints.Guarded(MemberDeleteAsync));
    }

    /// <summary>
    /// Refuses a team that would not fit in its organization, with a 400 naming the field, as LiteLLM does: models the
    /// organization may not call, or a budget or rpm/tpm limit above the organization's.
    /// </summary>
    public static async Task CheckTeamFitsAsync(HttpContext context, GatewayTeamRecord team)
    {
        if (team.OrganizationId is not { } orgId)
        {
            return;
        }

        var org = await Store(context).GetOrganizationAsync(orgId, context.RequestAborted)
            ?? throw GatewayErrors.Invalid($"Organization '{orgId}' not found.", "organization_id", "organization_not_found");
        if (team.Models.FirstOrDefault(m => !ModelAccess.ListAllows(org.Models, m)) is { } model)
        {
            throw GatewayErrors.Invalid($"Team model '{model}' is not in the organization's models ({string.Join(", ", org.Models)}).", "models", "invalid_field");
        }

        Bound("max_budget", team.MaxBudget, org.MaxBudget);
        Bound("tpm_limit", team.TpmLimit, org.TpmLimit);
        Bound("rpm_limit", team.RpmLimit, org.RpmLimit);
    }

    private static void Bound(string field, decimal? team, decimal? org)
    {
        if (team is { } t && org is { } o && t > o)
        {
            throw GatewayErrors.Invalid($"Team {field} ({KeyGate.PythonFloat(t)}) exceeds organization's {field} ({KeyGate.PythonFloat(o)}).", field, "exceeds_organization_limit");
        }
    }

    private static async Task NewAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var now = Time(context).GetUtcNow();
        var org = Apply(new OrganizationRecord { OrganizationId = input.String("organization_id") ?? Guid.NewGuid().ToString(), CreatedAt = now, UpdatedAt = now }, input);
        input.RefuseUnknown();
        if (!await Store(context).InsertOrganizationAsync(org, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"The organization '{org.OrganizationId}' already exists.", "organization_id", "organization_exists");
        }

        await AdminQuery.WriteAsync(context, await RowAsync(context, org));
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var orgId = input.String("organization_id") ?? throw GatewayErrors.Invalid("'organization_id' is required.", "organization_id", "missing_field");
        var org = await Store(context).GetOrganizationAsync(orgId, context.RequestAborted) ?? throw NotFound();
        var updated = Apply(org, input) with { UpdatedAt = Time(context).GetUtcNow() };
        input.RefuseUnknown();
        await Store(context).UpdateOrganizationAsync(updated, context.RequestAborted);
        context.RequestServices.GetRequiredService<KeyGate>().InvalidateScope(SpendScope.Organization, orgId);
        await AdminQuery.WriteAsync(context, await RowAsync(context, updated));
    }

    /// <summary>Deletes organizations and their memberships; their teams stay, outside any organization. Answers the deleted rows, as LiteLLM does.</summary>
    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("organization_ids") ?? throw GatewayErrors.Invalid("'organization_ids' is required.", "organization_ids", "missing_field");
        input.RefuseUnknown();
        var store = Store(context);
        var rows = new JsonArray();
        foreach (var org in await store.ListOrganizationsAsync(ids, 1000, context.RequestAborted))
        {
            rows.Add(await RowAsync(context, org));
        }

        if (rows.Count != ids.Distinct(StringComparer.Ordinal).Count())
        {
            throw NotFound();
        }

        var teams = new List<string>();
        foreach (var id in ids)
        {
            teams.AddRange((await store.GetOrganizationTeamsAsync(id, context.RequestAborted)).Select(t => t.TeamId));
        }

        var gate = context.RequestServices.GetRequiredService<KeyGate>();
        foreach (var id in await store.DeleteOrganizationsAsync(ids, context.RequestAborted))
        {
            gate.InvalidateScope(SpendScope.Organization, id);
        }

        teams.ForEach(t => gate.InvalidateScope(SpendScope.Team, t)); // their cached rows still name the organization

        await AdminQuery.WriteAsync(context, rows);
    }

    /// <summary>All organizations for admins and viewers (at most 1,000); the caller's own for anyone else. A JSON array, as LiteLLM answers.</summary>
    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        IReadOnlyList<string>? only = caller.ReadsAll ? null : [.. caller.OrgMemberships.Select(m => m.OrganizationId)];
        var rows = new JsonArray();
        foreach (var org in await Store(context).ListOrganizationsAsync(only, 1000, context.RequestAborted))
        {
            rows.Add(await RowAsync(context, org));
        }

        await AdminQuery.WriteAsync(context, rows);
    }

    /// <summary><c>GET /organization/info?organization_id=</c>: one organization with its members and teams.</summary>
    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var orgId = AdminQuery.Str(context, "organization_id") ?? throw GatewayErrors.Invalid("'organization_id' is required.", "organization_id", "missing_field");
        caller.Require(caller.IsOrgMember(orgId), NeedsOrgMember);
        var org = await Store(context).GetOrganizationAsync(orgId, context.RequestAborted) ?? throw NotFound();
        await AdminQuery.WriteAsync(context, await RowAsync(context, org));
    }

    /// <summary>LiteLLM's older <c>POST /organization/info {"organizations": [...]}</c>: a list of organizations.</summary>
    private static async Task InfoManyAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("organizations") ?? [];
        input.RefuseUnknown();
        if (ids.Length == 0)
        {
            throw GatewayErrors.Invalid("Specify the list of organization ids to query in 'organizations'.", "organizations", "missing_field");
        }

        foreach (var id in ids)
        {
            caller.Require(caller.IsOrgMember(id), NeedsOrgMember);
        }

        var rows = new JsonArray();
        foreach (var org in await Store(context).ListOrganizationsAsync(ids, 1000, context.RequestAborted))
        {
            rows.Add(await RowAsync(context, org));
        }

        await AdminQuery.WriteAsync(context, rows);
    }

    /// <summary>Adds members (<c>member</c>: one or a list of <c>{role, user_id | user_email}</c>); unknown users are created, as LiteLLM does.</summary>
    private static async Task MemberAddAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var org = await OrgFromBodyAsync(context, input, caller);
        var members = input.Objects("member") ?? throw GatewayErrors.Invalid("'member' is required.", "member", "missing_field");
        var read = members.Select(m => ReadMember(m, "member")).ToList();
        input.RefuseUnknown();
        var now = Time(context).GetUtcNow();
        var users = new JsonArray();
        var memberships = new JsonArray();
        foreach (var (role, userId, email) in read)
        {
            var user = await AdminUsers.FindOrCreateAsync(context, userId, email, now);
            var member = new OrgMemberRecord(org.OrganizationId, user.UserId, email ?? user.UserEmail, role!, now, now);
            await Store(context).UpsertOrgMemberAsync(member, context.RequestAborted);
            users.Add(AdminShapes.UserRow(user, []));
            memberships.Add(Membership(member));
        }

        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["organization_id"] = org.OrganizationId,
            ["updated_users"] = users,
            ["updated_organization_memberships"] = memberships,
        });
    }

    /// <summary>Changes a member's role (<c>role</c>, with <c>user_id</c> or <c>user_email</c>); answers the membership.</summary>
    private static async Task MemberUpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var org = await OrgFromBodyAsync(context, input, caller);
        var (role, userId, email) = ReadMember(input, null);
        var existing = await FindMemberAsync(context, org.OrganizationId, userId, email);
        var member = existing with { Role = role ?? existing.Role, UpdatedAt = Time(context).GetUtcNow() };
        await Store(context).UpsertOrgMemberAsync(member, context.RequestAborted);
        await AdminQuery.WriteAsync(context, Membership(member));
    }

    private static async Task MemberDeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var org = await OrgFromBodyAsync(context, input, caller);
        var userId = input.String("user_id");
        var email = input.String("user_email");
        input.RefuseUnknown();
        var existing = await FindMemberAsync(context, org.OrganizationId, userId, email);
        await Store(context).DeleteOrgMemberAsync(org.OrganizationId, existing.UserId, context.RequestAborted);
        await AdminQuery.WriteAsync(context, Membership(existing));
    }

    /// <summary>Reads one member: <c>role</c> (required when adding; <c>org_admin</c>, <c>internal_user</c> or <c>internal_user_viewer</c>) and <c>user_id</c> or <c>user_email</c>.</summary>
    private static (string? Role, string? UserId, string? Email) ReadMember(AdminInput member, string? field)
    {
        var prefix = field is null ? string.Empty : field + ".";
        var role = member.String("role");
        var userId = member.String("user_id");
        var email = member.String("user_email");
        member.RefuseUnknown(field);
        if (field is not null && role is null)
        {
            throw GatewayErrors.Invalid($"'{prefix}role' is required.", prefix + "role", "missing_field");
        }

        if (role is not null && !Roles.IsOrgRole(role))
        {
            throw GatewayErrors.Invalid($"'{prefix}role' must be 'org_admin', 'internal_user' or 'internal_user_viewer'; got '{role}'.", prefix + "role", "invalid_field");
        }

        if (userId is null && email is null)
        {
            throw GatewayErrors.Invalid($"Either '{prefix}user_id' or '{prefix}user_email' must be provided.", prefix + "user_id", "missing_field");
        }

        return (role, userId, email);
    }

    private static async Task<OrgMemberRecord> FindMemberAsync(HttpContext context, string orgId, string? userId, string? email)
    {
        if (userId is null && email is null)
        {
            throw GatewayErrors.Invalid("Either 'user_id' or 'user_email' must be provided.", "user_id", "missing_field");
        }

        var members = await Store(context).GetOrgMembersAsync(orgId, context.RequestAborted);
        return members.FirstOrDefault(m => userId is not null ? m.UserId == userId : string.Equals(m.UserEmail, email, StringComparison.OrdinalIgnoreCase))
            ?? throw new GatewayRequestException(new GatewayError(404, $"The user is not a member of the organization '{orgId}'.", "invalid_request_error", "member_not_found", "user_id"));
    }

    /// <summary>Reads <c>organization_id</c> from the body, requires the caller to administer it, and loads it.</summary>
    private static async Task<OrganizationRecord> OrgFromBodyAsync(HttpContext context, AdminInput input, AdminCaller caller)
    {
        var orgId = input.String("organization_id") ?? throw GatewayErrors.Invalid("'organization_id' is required.", "organization_id", "missing_field");
        caller.Require(caller.IsOrgAdmin(orgId), NeedsOrgAdmin);
        return await Store(context).GetOrganizationAsync(orgId, context.RequestAborted) ?? throw NotFound();
    }

    private static OrganizationRecord Apply(OrganizationRecord org, AdminInput input) => org with
    {
        OrganizationAlias = input.String("organization_alias") ?? org.OrganizationAlias,
        Models = input.Strings("models") ?? org.Models,
        MaxBudget = input.Money("max_budget") ?? org.MaxBudget,
        BudgetDuration = AdminEndpoints.BudgetDuration(input) ?? org.BudgetDuration,
        RpmLimit = input.Count("rpm_limit") ?? org.RpmLimit,
        TpmLimit = input.Count("tpm_limit") ?? org.TpmLimit,
        Metadata = input.Object("metadata")?.ToJsonString() ?? org.Metadata,
        Blocked = input.Bool("blocked") ?? org.Blocked,
    };

    /// <summary>LiteLLM's <c>LiteLLM_OrganizationTableWithMembers</c>: the organization, its budget row, its members and its teams.</summary>
    private static async Task<JsonObject> RowAsync(HttpContext context, OrganizationRecord org)
    {
        var store = Store(context);
        var members = await store.GetOrgMembersAsync(org.OrganizationId, context.RequestAborted);
        var teams = await store.GetOrganizationTeamsAsync(org.OrganizationId, context.RequestAborted);
        var keys = context.RequestServices.GetRequiredService<IKeyStore>();
        var teamRows = new JsonArray();
        foreach (var team in teams)
        {
            teamRows.Add(AdminShapes.TeamRow(team, await keys.GetTeamMembersAsync(team.TeamId, context.RequestAborted)));
        }

        return new JsonObject
        {
            ["organization_id"] = org.OrganizationId,
            ["organization_alias"] = org.OrganizationAlias,
            ["budget_id"] = BudgetId(org),
            ["metadata"] = org.Metadata is null ? new JsonObject() : JsonNode.Parse(org.Metadata),
            ["models"] = AdminShapes.Strings(org.Models),
            ["spend"] = org.Spend,
            ["model_spend"] = new JsonObject(),
            ["blocked"] = org.Blocked,
            ["max_budget"] = org.MaxBudget,
            ["budget_duration"] = org.BudgetDuration,
            ["tpm_limit"] = org.TpmLimit,
            ["rpm_limit"] = org.RpmLimit,
            ["created_at"] = AdminShapes.Time(org.CreatedAt),
            ["created_by"] = null,
            ["updated_at"] = AdminShapes.Time(org.UpdatedAt),
            ["updated_by"] = null,
            ["litellm_budget_table"] = new JsonObject
            {
                ["budget_id"] = BudgetId(org),
                ["max_budget"] = org.MaxBudget,
                ["soft_budget"] = null,
                ["max_parallel_requests"] = null,
                ["tpm_limit"] = org.TpmLimit,
                ["rpm_limit"] = org.RpmLimit,
                ["model_max_budget"] = null,
                ["budget_duration"] = org.BudgetDuration,
                ["budget_reset_at"] = null,
            },
            ["members"] = new JsonArray([.. members.Select(m => (JsonNode?)Membership(m))]),
            ["teams"] = teamRows,
        };
    }

    /// <summary>LiteLLM keeps an organization's limits in a budget row; ours are on the organization, named by this id.</summary>
    private static string BudgetId(OrganizationRecord org) => "org-budget-" + org.OrganizationId;

    /// <summary>A <c>LiteLLM_OrganizationMembershipTable</c> row.</summary>
    private static JsonObject Membership(OrgMemberRecord m) => new()
    {
        ["user_id"] = m.UserId,
        ["organization_id"] = m.OrganizationId,
        ["user_role"] = m.Role,
        ["user_email"] = m.UserEmail,
        ["spend"] = 0,
        ["budget_id"] = null,
        ["created_at"] = AdminShapes.Time(m.CreatedAt),
        ["updated_at"] = AdminShapes.Time(m.UpdatedAt),
    };

    private static GatewayRequestException NotFound() => new(new GatewayError(404, "Organization not found.", "invalid_request_error", "organization_not_found", "organization_id"));

    private static IOrganizationStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IOrganizationStore>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}
