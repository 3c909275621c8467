using System.Globalization;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's key endpoints: /key/generate, /key/update, /key/info, /key/list, /key/delete, /key/regenerate
/// (and /key/{key}/regenerate), /key/block, /key/unblock. Keys are shown once, at generation or regeneration; stored hashed.
/// </summary>
internal static class KeyEndpoints
{
    private const string NeedsKeyOwner = "the role 'proxy_admin', 'internal_user' (for the caller's own keys) or the team role 'admin' (for the team's keys)";
    private const string NeedsKeyReader = "the role 'proxy_admin' or 'proxy_admin_viewer', or ownership of the key (its user, or its team's admin)";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/key/generate", AdminEndpoints.Guarded(GenerateAsync));
        endpoints.MapPost("/key/update", AdminEndpoints.Guarded(UpdateAsync));
        endpoints.MapGet("/key/info", AdminEndpoints.Guarded(InfoAsync));
        endpoints.MapGet("/key/list", AdminEndpoints.Guarded(ListAsync));
        endpoints.MapPost("/key/delete", AdminEndpoints.Guarded(DeleteAsync));
        endpoints.MapPost("/key/regenerate", AdminEndpoints.Guarded(context => RegenerateAsync(context, null)));
        endpoints.MapPost("/key/{key}/regenerate", AdminEndpoints.Guarded(context => RegenerateAsync(context, context.Request.RouteValues["key"] as string)));
        endpoints.MapPost("/key/block", AdminEndpoints.Guarded(context => BlockAsync(context, true)));
        endpoints.MapPost("/key/unblock", AdminEndpoints.Guarded(context => BlockAsync(context, false)));
    }

    private static async Task GenerateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var (store, time) = (Store(context), Time(context));
        var custom = input.String("key");
        if (custom is not null && (!custom.StartsWith("sk-", StringComparison.Ordinal) || custom.Length < 12))
        {
            throw GatewayErrors.Invalid("'key' must start with 'sk-' and be at least 12 characters long.", "key", "invalid_field");
        }

        var key = custom ?? KeyHasher.GenerateKey();
        var now = time.GetUtcNow();
        var record = Apply(new VirtualKeyRecord { Token = KeyHasher.Hash(key), KeyName = KeyHasher.DisplayName(key), CreatedAt = now, UpdatedAt = now }, input, now);
        if (record.UserId is null && caller.ManagesOwnKeys && !caller.IsTeamAdmin(record.TeamId))
        {
            record = record with { UserId = caller.UserId }; // an internal user's key is its own
        }

        CheckOwnership(caller, record.UserId, record.TeamId);
        await BudgetEndpoints.CheckKeyBudgetAsync(context, record.BudgetId);
        if (await store.GetKeyAsync(record.Token, context.RequestAborted) is not null)
        {
            throw GatewayErrors.Invalid("A key with this value already exists.", "key", "key_exists");
        }

        await store.InsertKeyAsync(record, context.RequestAborted);
        await AdminQuery.WriteAsync(context, AdminShapes.Generated(record, key));
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var existing = await KeyFromBodyAsync(context, input, caller);
        caller.Require(caller.CanWrite(existing), NeedsKeyOwner);
        var now = Time(context).GetUtcNow();
        var updated = Apply(existing, input, now) with { UpdatedAt = now };
        CheckOwnership(caller, updated.UserId, updated.TeamId);
        await BudgetEndpoints.CheckKeyBudgetAsync(context, updated.BudgetId);
        await Store(context).UpdateKeyAsync(updated, context.RequestAborted);
        Gate(context).Invalidate(updated.Token);
        await AdminQuery.WriteAsync(context, AdminShapes.KeyRow(updated));
    }

    /// <summary>A key reads its own info with <c>?key=</c> naming itself or without it; owners and admins read any key.</summary>
    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var asked = AdminQuery.Str(context, "key");
        var hash = asked is null ? caller.KeyId : HashOf(asked);
        if (hash is null)
        {
            throw GatewayErrors.Invalid("'key' is required with the master key.", "key", "missing_field");
        }

        var record = await Store(context).GetKeyAsync(hash, context.RequestAborted);
        if (record is null)
        {
            caller.Require(caller.ReadsAll, NeedsKeyReader); // not found only to those who may see every key
            throw NotFound();
        }

        caller.Require(caller.CanRead(record), NeedsKeyReader);
        await AdminQuery.WriteAsync(context, new JsonObject { ["key"] = asked ?? record.Token, ["info"] = AdminShapes.KeyRow(record) });
    }

    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var page = AdminQuery.Int(context, "page", 1);
        var size = Math.Min(AdminQuery.Int(context, "size", 10), 100);
        var userId = AdminQuery.Str(context, "user_id");
        var teamId = AdminQuery.Str(context, "team_id");
        if (!caller.ReadsAll)
        {
            // Others list their own keys, or their team's as its admin.
            var ownTeam = teamId is not null && caller.IsTeamAdmin(teamId);
            caller.Require(ownTeam || (caller.UserId is not null && (userId is null || userId == caller.UserId)), NeedsKeyReader);
            userId = ownTeam ? userId : caller.UserId;
        }

        var result = await Store(context).ListKeysAsync(new KeyListQuery(page, size, userId, teamId, AdminQuery.Str(context, "key_alias")), context.RequestAborted);
        var full = AdminQuery.Bool(context, "return_full_object");
        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["keys"] = new JsonArray([.. result.Keys.Select(k => full ? AdminShapes.KeyRow(k) : (JsonNode?)k.Token)]),
            ["total_count"] = result.TotalCount,
            ["current_page"] = page,
            ["total_pages"] = (int)Math.Ceiling(result.TotalCount / (double)size),
        });
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var keys = input.Strings("keys") ?? [];
        var aliases = input.Strings("key_aliases") ?? [];
        input.RefuseUnknown();
        if (keys.Length == 0 && aliases.Length == 0)
        {
            throw GatewayErrors.Invalid("At least one of 'keys' or 'key_aliases' must be provided.", "keys", "missing_field");
        }

        var store = Store(context);
        var records = new List<VirtualKeyRecord>();
        foreach (var hash in keys.Select(HashOf).OfType<string>())
        {
            records.Add(await store.GetKeyAsync(hash, context.RequestAborted) ?? throw NotFound());
        }

        foreach (var alias in aliases)
        {
            records.AddRange((await store.ListKeysAsync(new KeyListQuery(1, 1000, KeyAlias: alias), context.RequestAborted)).Keys);
        }

        foreach (var record in records)
        {
            caller.Require(caller.CanWrite(record), NeedsKeyOwner);
        }

        var deleted = await store.DeleteKeysAsync([.. records.Select(r => r.Token)], context.RequestAborted);
        foreach (var hash in deleted)
        {
            Gate(context).Invalidate(hash);
        }

        await AdminQuery.WriteAsync(context, new JsonObject { ["deleted_keys"] = AdminShapes.Strings(deleted) });
    }

    /// <summary>Gives a key a new secret; the old one stops working at once; spend, budget and limits stay with the key.</summary>
    private static async Task RegenerateAsync(HttpContext context, string? fromPath)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var bodyKey = input.String("key");
        var newKey = input.String("new_key");
        input.RefuseUnknown();
        var existing = await Store(context).GetKeyAsync(HashOf(fromPath ?? bodyKey) ?? throw GatewayErrors.Invalid("'key' is required.", "key", "missing_field"), context.RequestAborted) ?? throw NotFound();
        caller.Require(caller.CanWrite(existing), NeedsKeyOwner);
        if (newKey is not null && !newKey.StartsWith("sk-", StringComparison.Ordinal))
        {
            throw GatewayErrors.Invalid("'new_key' must start with 'sk-'.", "new_key", "invalid_field");
        }

        var key = newKey ?? KeyHasher.GenerateKey();
        var regenerated = existing with { Token = KeyHasher.Hash(key), KeyName = KeyHasher.DisplayName(key), UpdatedAt = Time(context).GetUtcNow() };
        if (!await Store(context).ReplaceKeyTokenAsync(existing.Token, regenerated, context.RequestAborted))
        {
            throw NotFound();
        }

        Gate(context).Invalidate(existing.Token);
        await AdminQuery.WriteAsync(context, AdminShapes.Generated(regenerated, key));
    }

    private static async Task BlockAsync(HttpContext context, bool blocked)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var existing = await KeyFromBodyAsync(context, input, caller);
        input.RefuseUnknown();
        var updated = existing with { Blocked = blocked, UpdatedAt = Time(context).GetUtcNow() };
        await Store(context).UpdateKeyAsync(updated, context.RequestAborted);
        Gate(context).Invalidate(updated.Token);
        await AdminQuery.WriteAsync(context, AdminShapes.KeyRow(updated));
    }

    /// <summary>
    /// Who may own a key with this user and team: <c>proxy_admin</c> any; a team's admin keys of that team; an
    /// <c>internal_user</c> its own keys, in no team or in a team it belongs to.
    /// </summary>
    private static void CheckOwnership(AdminCaller caller, string? userId, string? teamId)
    {
        var allowed = caller.IsAdmin
            || (teamId is not null && caller.IsTeamAdmin(teamId))
            || (caller.ManagesOwnKeys && userId is not null && userId == caller.UserId && (teamId is null || caller.IsTeamMember(teamId)));
        caller.Require(allowed, NeedsKeyOwner);
    }

    private static async Task<VirtualKeyRecord> KeyFromBodyAsync(HttpContext context, AdminInput input, AdminCaller caller)
    {
        var hash = HashOf(input.String("key")) ?? throw GatewayErrors.Invalid("'key' is required.", "key", "missing_field");
        var record = await Store(context).GetKeyAsync(hash, context.RequestAborted);
        if (record is null)
        {
            caller.Require(caller.ReadsAll || caller.ManagesOwnKeys, NeedsKeyOwner);
            throw NotFound();
        }

        return record;
    }

    /// <summary>Applies the fields of a generate or update body (each type-checked; unknown fields refused).</summary>
    private static VirtualKeyRecord Apply(VirtualKeyRecord record, AdminInput input, DateTimeOffset now)
    {
        var duration = input.String("duration");
        var budgetDuration = AdminEndpoints.BudgetDuration(input);
        var result = record with
        {
            KeyAlias = input.String("key_alias") ?? record.KeyAlias,
            UserId = input.String("user_id") ?? record.UserId,
            TeamId = input.String("team_id") ?? record.TeamId,
            Models = input.Strings("models") ?? record.Models,
            MaxBudget = input.Money("max_budget") ?? record.MaxBudget,
            BudgetDuration = budgetDuration ?? record.BudgetDuration,
            BudgetId = input.String("budget_id") ?? record.BudgetId,
            SoftBudget = input.Money("soft_budget") ?? record.SoftBudget,
            RpmLimit = input.Count("rpm_limit") ?? record.RpmLimit,
            TpmLimit = input.Count("tpm_limit") ?? record.TpmLimit,
            MaxParallelRequests = input.Count("max_parallel_requests") is { } p ? (int)Math.Min(p, int.MaxValue) : record.MaxParallelRequests,
            Expires = duration is null ? record.Expires : now + KeyDuration(duration),
            Metadata = input.Object("metadata")?.ToJsonString() ?? record.Metadata,
            Blocked = input.Bool("blocked") ?? record.Blocked,
        };
        input.String("key"); // read by the caller: generate's custom key, update's target
        input.RefuseUnknown();
        return result;
    }

    /// <summary>A key's lifetime: <c>30s</c>, <c>30m</c>, <c>30h</c>, <c>30d</c> (LiteLLM's <c>duration</c>).</summary>
    public static TimeSpan KeyDuration(string text)
    {
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            TimeSpan? span = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            if (span is { } s)
            {
                return s;
            }
        }

        throw GatewayErrors.Invalid($"'duration' must be a number and a unit (s, m, h or d), like '30d'; got '{text}'.", "duration", "invalid_field");
    }

    /// <summary>Accepts a key ("sk-…") or its stored hash.</summary>
    public static string? HashOf(string? keyOrHash)
        => string.IsNullOrEmpty(keyOrHash) ? null : KeyHasher.LooksLikeHash(keyOrHash) ? keyOrHash : KeyHasher.Hash(keyOrHash);

    private static GatewayRequestException NotFound() => new(new GatewayError(404, "Key not found.", "invalid_request_error", "key_not_found", "key"));

    private static IKeyStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IKeyStore>();

    private static KeyGate Gate(HttpContext context) => context.RequestServices.GetRequiredService<KeyGate>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}
