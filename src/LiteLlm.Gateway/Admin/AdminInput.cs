using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// A management request's JSON body, read field by field with its type checked: a field of the wrong type, a negative
/// amount or a field this gateway does not know is a 400 that names the field, never a 500 and never silently ignored.
/// </summary>
/// <remarks>
/// LiteLLM fields we do not implement are refused when they carry a value, so a script that relies on one learns it at
/// once; the same fields sent empty (<c>{}</c>, <c>[]</c>, <c>null</c>, <c>false</c>, <c>0</c>), as LiteLLM's clients
/// and UI send them by default, are accepted.
/// </remarks>
internal sealed class AdminInput
{
    private static readonly HashSet<string> IgnoredWhenEmpty = new(StringComparer.Ordinal)
    {
        "aliases", "config", "permissions", "model_max_budget", "model_rpm_limit", "model_tpm_limit", "allowed_cache_controls",
        "guardrails", "policies", "prompts", "tags", "enforced_params", "allowed_routes", "object_permission", "send_invite_email",
        "soft_budget", "spend", "auto_rotate", "rotation_interval", "organization_id", "budget_id", "key_type", "admins", "members",
        "team_member_permissions", "router_settings", "access_group_ids", "allowed_passthrough_routes", "teams", "organizations",
        "tpm_limit", "rpm_limit", "max_parallel_requests", "model_aliases", "max_budget_in_team", "sso_user_id", "budget_reset_at",
        "team_member_budget", "team_member_rpm_limit", "team_member_tpm_limit", "team_member_key_duration", "max_budget_in_organization",
    };

    private readonly JsonObject _body;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public AdminInput(JsonObject body) => _body = body;

    /// <summary>Reads the request body; an empty body is an empty object.</summary>
    public static async Task<AdminInput> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength == 0)
        {
            return new AdminInput([]);
        }

        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return node switch
            {
                null => new AdminInput([]),
                JsonObject o => new AdminInput(o),
                _ => throw GatewayErrors.Invalid("The request body must be a JSON object.", code: "invalid_json"),
            };
        }
        catch (JsonException e)
        {
            throw GatewayErrors.Invalid("The request body is not valid JSON: " + e.Message, code: "invalid_json");
        }
    }

    public bool Has(string name) => _body[name] is not null;

    public string? String(string name) => Value(name, JsonValueKind.String, "a string")?.GetValue<string>();

    public bool? Bool(string name)
    {
        var value = Read(name);
        return value is null ? null
            : value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>()
            : throw Wrong(name, "true or false");
    }

    /// <summary>An amount in USD: a non-negative number.</summary>
    public decimal? Money(string name)
    {
        var value = Value(name, JsonValueKind.Number, "a number");
        if (value is null)
        {
            return null;
        }

        return value.TryGetValue<decimal>(out var d) && d >= 0 ? d : throw Wrong(name, "a non-negative number");
    }

    /// <summary>A count (rpm, tpm, parallel requests): a non-negative integer.</summary>
    public long? Count(string name)
    {
        var value = Value(name, JsonValueKind.Number, "an integer");
        if (value is null)
        {
            return null;
        }

        return value.TryGetValue<long>(out var n) && n >= 0 ? n : throw Wrong(name, "a non-negative integer");
    }

    public string[]? Strings(string name)
    {
        var node = Read(name);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Any(i => i is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            throw Wrong(name, "a list of strings");
        }

        return [.. array.Select(i => i!.GetValue<string>())];
    }

    public JsonObject? Object(string name)
    {
        var node = Read(name);
        return node is null ? null : node as JsonObject ?? throw Wrong(name, "an object");
    }

    /// <summary>A list of objects, or one object taken as a list of one (LiteLLM's <c>member</c>).</summary>
    public List<AdminInput>? Objects(string name)
    {
        var node = Read(name);
        return node switch
        {
            null => null,
            JsonObject o => [new AdminInput(o)],
            JsonArray a when a.All(i => i is JsonObject) => [.. a.Select(i => new AdminInput((JsonObject)i!))],
            _ => throw Wrong(name, "an object or a list of objects"),
        };
    }

    /// <summary>Refuses the first field that no getter read (unless it is a LiteLLM field sent empty).</summary>
    public void RefuseUnknown(string? prefix = null)
    {
        foreach (var (name, value) in _body)
        {
            if (_read.Contains(name))
            {
                continue;
            }

            var path = prefix is null ? name : prefix + "." + name;
            if (IgnoredWhenEmpty.Contains(name))
            {
                if (IsEmpty(value))
                {
                    continue;
                }

                throw GatewayErrors.Invalid($"'{path}' is a LiteLLM field this gateway does not support yet; send it empty or leave it out (see docs/management-api.md).", path, "unsupported_field");
            }

            throw GatewayErrors.Invalid($"'{path}' is not a field of this endpoint.", path, "unknown_field");
        }
    }

    private static bool IsEmpty(JsonNode? value) => value switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null => true,
            JsonValueKind.Number => v.TryGetValue<double>(out var d) && d == 0,
            _ => false,
        },
        _ => false,
    };

    private JsonNode? Read(string name)
    {
        _read.Add(name);
        return _body[name];
    }

    private JsonValue? Value(string name, JsonValueKind kind, string expected)
    {
        var node = Read(name);
        return node is null ? null
            : node is JsonValue v && v.GetValueKind() == kind ? v
            : throw Wrong(name, expected);
    }

    private static GatewayRequestException Wrong(string name, string expected)
        => GatewayErrors.Invalid($"'{name}' must be {expected}.", name, "invalid_field");
}

/// <summary>Query-string helpers of the management endpoints.</summary>
internal static class AdminQuery
{
    public static int Int(HttpContext context, string name, int fallback)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw GatewayErrors.Invalid($"'{name}' must be a positive integer.", name, "invalid_field");
    }

    public static string? Str(HttpContext context, string name) => context.Request.Query[name].ToString() is { Length: > 0 } s ? s : null;

    public static bool Bool(HttpContext context, string name)
        => Str(context, name) is { } s && (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s == "1");

    /// <summary>A date (<c>2024-06-01</c>) or a date and time in ISO 8601; UTC unless an offset is given.</summary>
    public static DateTimeOffset? Date(HttpContext context, string name)
    {
        var text = Str(context, name);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw GatewayErrors.Invalid($"'{name}' must be a date (YYYY-MM-DD) or an ISO 8601 time.", name, "invalid_field");
    }

    public static Task WriteAsync(HttpContext context, JsonNode json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
    }
}
