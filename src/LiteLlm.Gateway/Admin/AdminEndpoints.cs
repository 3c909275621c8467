using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's admin API for virtual keys and spend (master key only): /key/generate, /key/info, /key/update,
/// /key/delete, /key/list, /spend/logs, /global/spend. Keys are returned once, at generation; stored hashed.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder root)
    {
        var endpoints = root.MapGroup(string.Empty).AddEndpointFilter(RefuseBadValuesAsync);
        endpoints.MapPost("/key/generate", GenerateAsync);
        endpoints.MapPost("/key/update", UpdateAsync);
        endpoints.MapGet("/key/info", InfoAsync);
        endpoints.MapPost("/key/delete", DeleteAsync);
        endpoints.MapGet("/key/list", ListAsync);
        endpoints.MapPost("/user/new", NewUserAsync);
        endpoints.MapGet("/user/info", UserInfoAsync);
        endpoints.MapPost("/team/new", NewTeamAsync);
        endpoints.MapGet("/team/info", TeamInfoAsync);
        endpoints.MapGet("/spend/logs", SpendLogsAsync);
        endpoints.MapGet("/global/spend", GlobalSpendAsync);
    }

    private static async Task GenerateAsync(HttpContext context, IRequestGate gate, IKeyStore store, TimeProvider time)
    {
        if (await AdminBodyAsync(context, gate) is not { } body)
        {
            return;
        }

        var key = KeyHasher.GenerateKey();
        var now = time.GetUtcNow();
        var record = Apply(new VirtualKeyRecord { Token = KeyHasher.Hash(key), KeyName = KeyHasher.DisplayName(key), CreatedAt = now, UpdatedAt = now }, body, now);
        await store.InsertKeyAsync(record, context.RequestAborted);
        var json = Describe(record);
        json["key"] = key; // the only time the key itself is shown
        await WriteAsync(context, json);
    }

    private static async Task UpdateAsync(HttpContext context, IRequestGate gate, IKeyStore store, KeyGate keys, TimeProvider time)
    {
        if (await AdminBodyAsync(context, gate) is not { } body)
        {
            return;
        }

        var hash = HashOf(body["key"]?.GetValue<string>());
        var existing = hash is null ? null : await store.GetKeyAsync(hash, context.RequestAborted);
        if (existing is null)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(404, "Key not found.", "invalid_request_error", "key_not_found", "key"));
            return;
        }

        var updated = Apply(existing, body, time.GetUtcNow()) with { UpdatedAt = time.GetUtcNow() };
        await store.UpdateKeyAsync(updated, context.RequestAborted);
        keys.Invalidate(updated.Token);
        await WriteAsync(context, Describe(updated));
    }

    private static async Task InfoAsync(HttpContext context, IRequestGate gate, IKeyStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        var hash = HashOf(context.Request.Query["key"].ToString());
        var record = hash is null ? null : await store.GetKeyAsync(hash, context.RequestAborted);
        if (record is null)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(404, "Key not found.", "invalid_request_error", "key_not_found", "key"));
            return;
        }

        await WriteAsync(context, new JsonObject { ["key"] = record.Token, ["info"] = Describe(record) });
    }

    private static async Task DeleteAsync(HttpContext context, IRequestGate gate, IKeyStore store, KeyGate keys)
    {
        if (await AdminBodyAsync(context, gate) is not { } body)
        {
            return;
        }

        var hashes = (body["keys"] as JsonArray ?? []).Select(k => HashOf(k?.GetValue<string>())).OfType<string>().ToList();
        var deleted = await store.DeleteKeysAsync(hashes, context.RequestAborted);
        foreach (var hash in deleted)
        {
            keys.Invalidate(hash);
        }

        await WriteAsync(context, new JsonObject { ["deleted_keys"] = new JsonArray([.. deleted.Select(d => (JsonNode?)d)]) });
    }

    private static async Task ListAsync(HttpContext context, IRequestGate gate, IKeyStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        var page = Int(context, "page", 1);
        var size = Math.Clamp(Int(context, "size", 10), 1, 100);
        var result = await store.ListKeysAsync(new KeyListQuery(page, size, Str(context, "user_id"), Str(context, "team_id"), Str(context, "key_alias")), context.RequestAborted);
        await WriteAsync(context, new JsonObject
        {
            ["keys"] = new JsonArray([.. result.Keys.Select(k => (JsonNode?)k.Token)]),
            ["total_count"] = result.TotalCount,
            ["current_page"] = page,
            ["total_pages"] = (int)Math.Ceiling(result.TotalCount / (double)size),
        });
    }

    private static async Task NewUserAsync(HttpContext context, IRequestGate gate, IKeyStore store, TimeProvider time)
    {
        if (await AdminBodyAsync(context, gate) is not { } body)
        {
            return;
        }

        var user = new GatewayUserRecord
        {
            UserId = body["user_id"]?.GetValue<string>() ?? "user-" + Guid.NewGuid().ToString("N")[..12],
            UserEmail = body["user_email"]?.GetValue<string>(),
            UserRole = body["user_role"]?.GetValue<string>(),
            Models = body["models"] is JsonArray m ? [.. m.Select(x => x?.GetValue<string>()).OfType<string>()] : [],
            MaxBudget = body["max_budget"] is JsonValue mb ? mb.GetValue<decimal>() : null,
            BudgetDuration = Duration(body["budget_duration"]),
            Metadata = body["metadata"] is JsonObject meta ? meta.ToJsonString() : null,
            CreatedAt = time.GetUtcNow(),
        };
        if (!await store.InsertUserAsync(user, context.RequestAborted))
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(400, $"The user '{user.UserId}' already exists.", "invalid_request_error", "user_exists", "user_id"));
            return;
        }

        await WriteAsync(context, new JsonObject { ["user_id"] = user.UserId, ["models"] = Strings(user.Models), ["max_budget"] = user.MaxBudget, ["spend"] = 0 });
    }

    private static async Task UserInfoAsync(HttpContext context, IRequestGate gate, IKeyStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        var user = await store.GetUserAsync(context.Request.Query["user_id"].ToString(), context.RequestAborted);
        if (user is null)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(404, "User not found.", "invalid_request_error", "user_not_found", "user_id"));
            return;
        }

        var keys = await store.ListKeysAsync(new KeyListQuery(1, 100, UserId: user.UserId), context.RequestAborted);
        await WriteAsync(context, new JsonObject
        {
            ["user_id"] = user.UserId,
            ["user_info"] = new JsonObject { ["user_id"] = user.UserId, ["user_email"] = user.UserEmail, ["models"] = Strings(user.Models), ["max_budget"] = user.MaxBudget, ["spend"] = user.Spend },
            ["keys"] = new JsonArray([.. keys.Keys.Select(k => (JsonNode?)Describe(k))]),
        });
    }

    private static async Task NewTeamAsync(HttpContext context, IRequestGate gate, IKeyStore store, TimeProvider time)
    {
        if (await AdminBodyAsync(context, gate) is not { } body)
        {
            return;
        }

        var team = new GatewayTeamRecord
        {
            TeamId = body["team_id"]?.GetValue<string>() ?? "team-" + Guid.NewGuid().ToString("N")[..12],
            TeamAlias = body["team_alias"]?.GetValue<string>(),
            Models = body["models"] is JsonArray m ? [.. m.Select(x => x?.GetValue<string>()).OfType<string>()] : [],
            MaxBudget = body["max_budget"] is JsonValue mb ? mb.GetValue<decimal>() : null,
            BudgetDuration = Duration(body["budget_duration"]),
            Metadata = body["metadata"] is JsonObject meta ? meta.ToJsonString() : null,
            CreatedAt = time.GetUtcNow(),
        };
        if (!await store.InsertTeamAsync(team, context.RequestAborted))
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(400, $"The team '{team.TeamId}' already exists.", "invalid_request_error", "team_exists", "team_id"));
            return;
        }

        await WriteAsync(context, new JsonObject { ["team_id"] = team.TeamId, ["team_alias"] = team.TeamAlias, ["models"] = Strings(team.Models), ["max_budget"] = team.MaxBudget, ["spend"] = 0 });
    }

    private static async Task TeamInfoAsync(HttpContext context, IRequestGate gate, IKeyStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        var team = await store.GetTeamAsync(context.Request.Query["team_id"].ToString(), context.RequestAborted);
        if (team is null)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(404, "Team not found.", "invalid_request_error", "team_not_found", "team_id"));
            return;
        }

        await WriteAsync(context, new JsonObject
        {
            ["team_id"] = team.TeamId,
            ["team_info"] = new JsonObject { ["team_id"] = team.TeamId, ["team_alias"] = team.TeamAlias, ["models"] = Strings(team.Models), ["max_budget"] = team.MaxBudget, ["spend"] = team.Spend },
        });
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    private static async Task SpendLogsAsync(HttpContext context, IRequestGate gate, ISpendStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        var page = await store.QuerySpendLogsAsync(new SpendLogQuery
        {
            Page = Int(context, "page", 1),
            PageSize = Math.Clamp(Int(context, "page_size", 50), 1, 500),
            KeyId = HashOf(Str(context, "api_key")),
            UserId = Str(context, "user_id"),
            TeamId = Str(context, "team_id"),
            RequestId = Str(context, "request_id"),
            ModelGroup = Str(context, "model"),
        }, context.RequestAborted);
        var rows = new JsonArray();
        foreach (var r in page.Rows)
        {
            rows.Add(new JsonObject
            {
                ["request_id"] = r.RequestId,
                ["api_key"] = r.KeyId,
                ["user"] = r.UserId,
                ["team_id"] = r.TeamId,
                ["model_group"] = r.ModelGroup,
                ["model_id"] = r.Deployment,
                ["model"] = r.Model,
                ["custom_llm_provider"] = r.Provider,
                ["prompt_tokens"] = r.InputTokens,
                ["completion_tokens"] = r.OutputTokens,
                ["spend"] = r.Cost,
                ["cache_hit"] = r.CacheHit,
                ["status"] = r.Status,
                ["startTime"] = r.StartTime.ToString("O", CultureInfo.InvariantCulture),
                ["endTime"] = r.EndTime.ToString("O", CultureInfo.InvariantCulture),
            });
        }

        await WriteAsync(context, new JsonObject { ["data"] = rows, ["total"] = page.TotalCount });
    }

    private static async Task GlobalSpendAsync(HttpContext context, IRequestGate gate, ISpendStore store)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return;
        }

        await WriteAsync(context, new JsonObject { ["spend"] = await store.GetGlobalSpendAsync(null, context.RequestAborted) });
    }

    /// <summary>
    /// A field of the wrong JSON type or a value out of range is the caller's 400, not a 500; a database that does not
    /// answer is a 503 that names no secret.
    /// </summary>
    private static async ValueTask<object?> RefuseBadValuesAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        try
        {
            return await next(invocation);
        }
        catch (GatewayRequestException e) when (!context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, e.Error);
            return Results.Empty;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException && !context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(400, "A field has the wrong type or an out-of-range value: " + e.Message, "invalid_request_error", "invalid_field"));
            return Results.Empty;
        }
        catch (System.Data.Common.DbException) when (!context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(503, "The key database is unreachable; try again shortly.", "service_unavailable", "database_unavailable"));
            return Results.Empty;
        }
    }

    /// <summary>Checks a <c>budget_duration</c> (<c>30s</c>, <c>1h</c>, <c>1d</c>, <c>30d</c>, <c>1mo</c>) before it is stored.</summary>
    private static string? Duration(JsonNode? node)
    {
        var text = node?.GetValue<string>();
        if (text is not null)
        {
            try
            {
                _ = Cost.BudgetWindow.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw GatewayErrors.Invalid(e.Message.Replace(" (Parameter 'duration')", string.Empty, StringComparison.Ordinal), "budget_duration");
            }
        }

        return text;
    }

    private static VirtualKeyRecord Apply(VirtualKeyRecord record, JsonObject body, DateTimeOffset now)
    {
        string[]? models = body["models"] is JsonArray m ? [.. m.Select(x => x?.GetValue<string>()).OfType<string>()] : null;
        TimeSpan? duration = body["duration"]?.GetValue<string>() is { } d ? ParseDuration(d) : null;
        return record with
        {
            KeyAlias = body["key_alias"]?.GetValue<string>() ?? record.KeyAlias,
            UserId = body["user_id"]?.GetValue<string>() ?? record.UserId,
            TeamId = body["team_id"]?.GetValue<string>() ?? record.TeamId,
            Models = models ?? record.Models,
            MaxBudget = body["max_budget"] is JsonValue mb ? mb.GetValue<decimal>() : record.MaxBudget,
            BudgetDuration = Duration(body["budget_duration"]) ?? record.BudgetDuration,
            RpmLimit = body["rpm_limit"] is JsonValue rpm ? rpm.GetValue<long>() : record.RpmLimit,
            TpmLimit = body["tpm_limit"] is JsonValue tpm ? tpm.GetValue<long>() : record.TpmLimit,
            MaxParallelRequests = body["max_parallel_requests"] is JsonValue mp ? mp.GetValue<int>() : record.MaxParallelRequests,
            Expires = duration is { } span ? now + span : record.Expires,
            Metadata = body["metadata"] is JsonObject meta ? meta.ToJsonString() : record.Metadata,
            Blocked = body["blocked"] is JsonValue b ? b.GetValue<bool>() : record.Blocked,
        };
    }

    private static JsonObject Describe(VirtualKeyRecord r) => new()
    {
        ["token"] = r.Token,
        ["key_name"] = r.KeyName,
        ["key_alias"] = r.KeyAlias,
        ["user_id"] = r.UserId,
        ["team_id"] = r.TeamId,
        ["models"] = new JsonArray([.. r.Models.Select(m => (JsonNode?)m)]),
        ["max_budget"] = r.MaxBudget,
        ["budget_duration"] = r.BudgetDuration,
        ["rpm_limit"] = r.RpmLimit,
        ["tpm_limit"] = r.TpmLimit,
        ["max_parallel_requests"] = r.MaxParallelRequests,
        ["expires"] = r.Expires?.ToString("O", CultureInfo.InvariantCulture),
        ["spend"] = r.Spend,
        ["blocked"] = r.Blocked,
        ["metadata"] = r.Metadata is null ? null : JsonNode.Parse(r.Metadata),
    };

    /// <summary>Accepts a key ("sk-…") or its stored hash.</summary>
    private static string? HashOf(string? keyOrHash)
        => string.IsNullOrEmpty(keyOrHash) ? null : KeyHasher.LooksLikeHash(keyOrHash) ? keyOrHash : KeyHasher.Hash(keyOrHash);

    private static TimeSpan? ParseDuration(string text)
    {
        var unit = text[^1];
        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }

    private static async Task<bool> IsAdminAsync(HttpContext context, IRequestGate gate)
    {
        var auth = await gate.AuthenticateAsync(context, context.RequestAborted);
        if (auth.Error is { } error)
        {
            await GatewayErrors.WriteAsync(context, error);
            return false;
        }

        if (!auth.Value!.IsMaster)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(403, "Only the master key may use the admin endpoints.", "permission_error", "not_admin"));
            return false;
        }

        return true;
    }

    private static async Task<JsonObject?> AdminBodyAsync(HttpContext context, IRequestGate gate)
    {
        if (!await IsAdminAsync(context, gate))
        {
            return null;
        }

        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return node as JsonObject ?? [];
        }
        catch (JsonException e)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(400, "The request body is not valid JSON: " + e.Message, "invalid_request_error", "invalid_json"));
            return null;
        }
    }

    private static int Int(HttpContext context, string name, int fallback)
        => int.TryParse(context.Request.Query[name], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    private static string? Str(HttpContext context, string name) => context.Request.Query[name].ToString() is { Length: > 0 } s ? s : null;

    private static Task WriteAsync(HttpContext context, JsonObject json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }
}
