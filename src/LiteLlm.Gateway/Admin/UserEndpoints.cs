using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>LiteLLM's user endpoints: /user/new (with a key unless <c>auto_create_key: false</c>), /user/info, /user/update, /user/delete, /user/list.</summary>
internal static class UserEndpoints
{
    private const string NeedsSelfOrViewer = "the role 'proxy_admin' or 'proxy_admin_viewer', or to be that user";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/user/new", AdminEndpoints.Guarded(NewAsync));
        endpoints.MapGet("/user/info", AdminEndpoints.Guarded(InfoAsync));
        endpoints.MapPost("/user/update", AdminEndpoints.Guarded(UpdateAsync));
        endpoints.MapPost("/user/delete", AdminEndpoints.Guarded(DeleteAsync));
        endpoints.MapGet("/user/list", AdminEndpoints.Guarded(ListAsync));
    }

    /// <summary>Creates a user and, as LiteLLM does, a key for it (returned as <c>key</c>) unless <c>auto_create_key</c> is false.</summary>
    private static async Task NewAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var now = Time(context).GetUtcNow();
        var autoKey = input.Bool("auto_create_key") ?? true;
        var user = Apply(new GatewayUserRecord { UserId = input.String("user_id") ?? Guid.NewGuid().ToString(), CreatedAt = now, UpdatedAt = now }, input);

        // LiteLLM's key fields on /user/new apply to the key it creates.
        var keyAlias = input.String("key_alias");
        var duration = input.String("duration");
        var teamId = input.String("team_id");
        input.RefuseUnknown();
        var store = Store(context);
        if (!await store.InsertUserAsync(user, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"The user '{user.UserId}' already exists.", "user_id", "user_exists");
        }

        var json = AdminShapes.UserRow(user, []);
        json["key"] = null;
        if (autoKey)
        {
            var key = KeyHasher.GenerateKey();
            var record = new VirtualKeyRecord
            {
                Token = KeyHasher.Hash(key),
                KeyName = KeyHasher.DisplayName(key),
                KeyAlias = keyAlias,
                UserId = user.UserId,
                TeamId = teamId,
                Expires = duration is null ? null : now + KeyEndpoints.KeyDuration(duration),
                CreatedAt = now,
                UpdatedAt = now,
            };
            await store.InsertKeyAsync(record, context.RequestAborted);
            foreach (var (name, value) in AdminShapes.Generated(record, key).ToList())
            {
                json[name] ??= value?.DeepClone(); // the user's own fields (models, max_budget, metadata) win
            }

            json["key"] = key;
        }

        await AdminQuery.WriteAsync(context, json);
    }

    /// <summary>A user reads its own info (<c>?user_id=</c> naming itself, or none); viewers and admins read anyone's.</summary>
    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var userId = AdminQuery.Str(context, "user_id") ?? caller.UserId ?? throw GatewayErrors.Invalid("'user_id' is required.", "user_id", "missing_field");
        caller.Require(caller.ReadsAll || userId == caller.UserId, NeedsSelfOrViewer);
        var store = Store(context);
        var user = await store.GetUserAsync(userId, context.RequestAborted) ?? throw NotFound();
        var memberships = await store.GetMembershipsAsync(userId, context.RequestAborted);
        var keys = await store.ListKeysAsync(new KeyListQuery(1, 100, UserId: user.UserId), context.RequestAborted);
        var teams = await store.ListTeamsAsync([.. memberships.Select(m => m.TeamId)], 100, context.RequestAborted);
        var teamRows = new JsonArray();
        foreach (var team in teams)
        {
            teamRows.Add((JsonNode)AdminShapes.TeamRow(team, await store.GetTeamMembersAsync(team.TeamId, context.RequestAborted)));
        }

        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["user_id"] = user.UserId,
            ["user_info"] = AdminShapes.UserRow(user, memberships.Select(m => m.TeamId)),
            ["keys"] = new JsonArray([.. keys.Keys.Select(k => (JsonNode?)AdminShapes.KeyRow(k))]),
            ["teams"] = teamRows,
        });
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var store = Store(context);
        var userId = input.String("user_id");
        var email = input.String("user_email");
        var existing = userId is not null ? await store.GetUserAsync(userId, context.RequestAborted)
            : email is not null ? await store.FindUserByEmailAsync(email, context.RequestAborted)
            : throw GatewayErrors.Invalid("Either 'user_id' or 'user_email' must be provided.", "user_id", "missing_field");
        if (existing is null)
        {
            throw NotFound();
        }

        var updated = Apply(existing, input) with { UpdatedAt = Time(context).GetUtcNow() };
        input.RefuseUnknown();
        await store.UpdateUserAsync(updated, context.RequestAborted);
        Gate(context).InvalidateScope(SpendScope.User, updated.UserId);
        var memberships = await store.GetMembershipsAsync(updated.UserId, context.RequestAborted);
        var row = AdminShapes.UserRow(updated, memberships.Select(m => m.TeamId));
        await AdminQuery.WriteAsync(context, new JsonObject { ["user_id"] = updated.UserId, ["data"] = row });
    }

    /// <summary>Deletes users, their team memberships and their keys (as LiteLLM does).</summary>
    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("user_ids") ?? throw GatewayErrors.Invalid("'user_ids' is required.", "user_ids", "missing_field");
        input.RefuseUnknown();
        var store = Store(context);
        var deletedKeys = new List<string>();
        foreach (var id in ids)
        {
            var keys = await store.ListKeysAsync(new KeyListQuery(1, 1000, UserId: id), context.RequestAborted);
            deletedKeys.AddRange(await store.DeleteKeysAsync([.. keys.Keys.Select(k => k.Token)], context.RequestAborted));
        }

        var deleted = await store.DeleteUsersAsync(ids, context.RequestAborted);
        foreach (var token in deletedKeys)
        {
            Gate(context).Invalidate(token);
        }

        foreach (var id in deleted)
        {
            Gate(context).InvalidateScope(SpendScope.User, id);
        }

        await AdminQuery.WriteAsync(context, new JsonObject { ["deleted_users"] = AdminShapes.Strings(deleted), ["deleted_keys"] = deletedKeys.Count });
    }

    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var page = AdminQuery.Int(context, "page", 1);
        var size = Math.Min(AdminQuery.Int(context, "page_size", 25), 100);
        var ids = AdminQuery.Str(context, "user_ids")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var store = Store(context);
        var result = await store.ListUsersAsync(new UserListQuery(page, size, AdminQuery.Str(context, "role"), ids), context.RequestAborted);
        var users = new JsonArray();
        foreach (var user in result.Users)
        {
            var memberships = await store.GetMembershipsAsync(user.UserId, context.RequestAborted);
            users.Add((JsonNode)AdminShapes.UserRow(user, memberships.Select(m => m.TeamId)));
        }

        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["users"] = users,
            ["total"] = result.TotalCount,
            ["page"] = page,
            ["page_size"] = size,
            ["total_pages"] = (int)Math.Ceiling(result.TotalCount / (double)size),
        });
    }

    private static GatewayUserRecord Apply(GatewayUserRecord user, AdminInput input)
    {
        var role = input.String("user_role");
        if (role is not null && !Roles.IsUserRole(role))
        {
            throw GatewayErrors.Invalid($"'user_role' must be one of proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer; got '{role}'.", "user_role", "invalid_field");
        }

        return user with
        {
            UserEmail = input.String("user_email") ?? user.UserEmail,
            UserAlias = input.String("user_alias") ?? user.UserAlias,
            UserRole = role ?? user.UserRole ?? Roles.Default,
            Models = input.Strings("models") ?? user.Models,
            MaxBudget = input.Money("max_budget") ?? user.MaxBudget,
            BudgetDuration = AdminEndpoints.BudgetDuration(input) ?? user.BudgetDuration,
            Metadata = input.Object("metadata")?.ToJsonString() ?? user.Metadata,
        };
    }

    private static GatewayRequestException NotFound() => new(new GatewayError(404, "User not found.", "invalid_request_error", "user_not_found", "user_id"));

    private static IKeyStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IKeyStore>();

    private static KeyGate Gate(HttpContext context) => context.RequestServices.GetRequiredService<KeyGate>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}
