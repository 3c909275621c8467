using System.Globalization;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// The JSON shapes of LiteLLM's management API (field names and types of <c>LiteLLM_VerificationToken</c>,
/// <c>GenerateKeyResponse</c>, <c>LiteLLM_UserTable</c>, <c>LiteLLM_TeamTable</c>), built from our records.
/// Times are ISO 8601 in UTC with microseconds, which Python's <c>datetime.fromisoformat</c> reads.
/// </summary>
internal static class AdminShapes
{
    /// <summary>A key as stored (<c>/key/info</c>'s <c>info</c>, <c>/key/list?return_full_object=true</c>, <c>/key/block</c>).</summary>
    public static JsonObject KeyRow(VirtualKeyRecord r) => new()
    {
        ["token"] = r.Token,
        ["key_name"] = r.KeyName,
        ["key_alias"] = r.KeyAlias,
        ["spend"] = r.Spend,
        ["max_budget"] = r.MaxBudget,
        ["expires"] = Time(r.Expires),
        ["models"] = Strings(r.Models),
        ["aliases"] = new JsonObject(),
        ["config"] = new JsonObject(),
        ["user_id"] = r.UserId,
        ["team_id"] = r.TeamId,
        ["max_parallel_requests"] = r.MaxParallelRequests,
        ["metadata"] = Metadata(r.Metadata),
        ["tpm_limit"] = r.TpmLimit,
        ["rpm_limit"] = r.RpmLimit,
        ["budget_duration"] = r.BudgetDuration,
        ["budget_id"] = r.BudgetId,
        ["soft_budget"] = r.SoftBudget,
        ["budget_reset_at"] = null,
        ["allowed_cache_controls"] = new JsonArray(),
        ["permissions"] = new JsonObject(),
        ["model_spend"] = new JsonObject(),
        ["model_max_budget"] = new JsonObject(),
        ["soft_budget_cooldown"] = false,
        ["blocked"] = r.Blocked,
        ["org_id"] = null,
        ["created_at"] = Time(r.CreatedAt),
        ["updated_at"] = Time(r.UpdatedAt),
    };

    /// <summary>
    /// <c>/key/generate</c>'s answer: the key itself (shown once), its id as <c>token_id</c>, and the request's fields.
    /// No <c>token</c> field: LiteLLM's client model copies a <c>token</c> over <c>key</c>.
    /// </summary>
    public static JsonObject Generated(VirtualKeyRecord r, string key)
    {
        var json = KeyRow(r);
        json.Remove("token");
        json["key"] = key;
        json["token_id"] = r.Token;
        json["duration"] = null;
        json["tags"] = null;
        json["created_by"] = null;
        json["updated_by"] = null;
        return json;
    }

    /// <summary>A user (<c>LiteLLM_UserTable</c>).</summary>
    public static JsonObject UserRow(GatewayUserRecord u, IEnumerable<string> teams) => new()
    {
        ["user_id"] = u.UserId,
        ["max_budget"] = u.MaxBudget,
        ["spend"] = u.Spend,
        ["model_max_budget"] = new JsonObject(),
        ["model_spend"] = new JsonObject(),
        ["user_email"] = u.UserEmail,
        ["user_alias"] = u.UserAlias,
        ["models"] = Strings(u.Models),
        ["tpm_limit"] = null,
        ["rpm_limit"] = null,
        ["user_role"] = u.UserRole ?? Roles.Default,
        ["teams"] = Strings(teams),
        ["budget_duration"] = u.BudgetDuration,
        ["budget_reset_at"] = null,
        ["metadata"] = Metadata(u.Metadata),
        ["created_at"] = Time(u.CreatedAt),
        ["updated_at"] = Time(u.UpdatedAt),
    };

    /// <summary>A team (<c>LiteLLM_TeamTable</c>) with its members.</summary>
    public static JsonObject TeamRow(GatewayTeamRecord t, IReadOnlyList<TeamMemberRecord> members) => new()
    {
        ["team_id"] = t.TeamId,
        ["team_alias"] = t.TeamAlias,
        ["organization_id"] = t.OrganizationId,
        ["admins"] = Strings(members.Where(m => m.Role == Roles.TeamAdmin).Select(m => m.UserId)),
        ["members"] = Strings(members.Where(m => m.Role != Roles.TeamAdmin).Select(m => m.UserId)),
        ["members_with_roles"] = new JsonArray([.. members.Select(m => (JsonNode?)Member(m))]),
        ["metadata"] = Metadata(t.Metadata),
        ["tpm_limit"] = t.TpmLimit,
        ["rpm_limit"] = t.RpmLimit,
        ["max_budget"] = t.MaxBudget,
        ["soft_budget"] = t.SoftBudget,
        ["budget_duration"] = t.BudgetDuration,
        ["models"] = Strings(t.Models),
        ["blocked"] = t.Blocked,
        ["spend"] = t.Spend,
        ["max_parallel_requests"] = t.MaxParallelRequests,
        ["budget_reset_at"] = null,
        ["model_id"] = null,
        ["created_at"] = Time(t.CreatedAt),
        ["updated_at"] = Time(t.UpdatedAt),
    };

    /// <summary>A <c>members_with_roles</c> entry.</summary>
    public static JsonObject Member(TeamMemberRecord m) => new() { ["user_id"] = m.UserId, ["user_email"] = m.UserEmail, ["role"] = m.Role };

    /// <summary>A <c>team_memberships</c> entry (<c>LiteLLM_TeamMembership</c>).</summary>
    public static JsonObject Membership(TeamMemberRecord m) => new() { ["user_id"] = m.UserId, ["team_id"] = m.TeamId, ["spend"] = 0, ["budget_id"] = null };

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);

    public static string? Time(DateTimeOffset? at)
        => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonNode Metadata(string? json) => json is null ? new JsonObject() : JsonNode.Parse(json) ?? new JsonObject();
}
