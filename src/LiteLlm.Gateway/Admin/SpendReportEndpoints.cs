using System.Globalization;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's spend reports (<c>proxy_admin</c> and <c>proxy_admin_viewer</c>): <c>/spend/tags</c> (and
/// <c>/global/spend/tags</c>), <c>/global/spend/report</c> (by UTC day, grouped by team, key or model) and
/// <c>/global/spend/logs</c> (spend per day over the last 30 days). Each reads
/// an indexed date range and is bounded: at most 1,000 tags, at most 366 days.
/// </summary>
internal static class SpendReportEndpoints
{
    private const int MaxDays = 366;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/spend/tags", AdminEndpoints.Guarded(TagsAsync));
        endpoints.MapGet("/global/spend/tags", AdminEndpoints.Guarded(TagsAsync));
        endpoints.MapGet("/global/spend/report", AdminEndpoints.Guarded(ReportAsync));
        endpoints.MapGet("/global/spend/logs", AdminEndpoints.Guarded(DailyAsync));
    }

    /// <summary>
    /// LiteLLM's <c>/global/spend/logs</c>: spend per UTC day over the last 30 days, only days with spend,
    /// <c>[{date, spend}]</c>; with <c>api_key</c> (the hashed key, or the key itself) that key's, <c>[{date, spend, api_key}]</c>.
    /// </summary>
    private static async Task DailyAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var key = AdminQuery.Str(context, "api_key") is { Length: > 0 } k ? (KeyHasher.LooksLikeHash(k) ? k : KeyHasher.Hash(k)) : null;
        var today = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.Date;
        var start = new DateTimeOffset(today.AddDays(-30), TimeSpan.Zero);
        // One key's rows are filtered by the database (every key's would be read, and could pass the report's row bound).
        var rows = await Store(context).GetDailySpendAsync(start, start.AddDays(31), key is null ? SpendGrouping.Model : SpendGrouping.Key, key, context.RequestAborted);
        var days = new JsonArray();
        foreach (var day in rows.GroupBy(r => r.Day))
        {
            var entry = new JsonObject { ["date"] = day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["spend"] = day.Sum(r => r.Spend) };
            if (key is not null)
            {
                entry["api_key"] = key;
            }

            days.Add((JsonNode)entry);
        }

        await AdminQuery.WriteAsync(context, days);
    }

    /// <summary>Spend per request tag: <c>[{individual_request_tag, log_count, total_spend}]</c>, dearest first.</summary>
    private static async Task TagsAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var (start, end) = (AdminQuery.Date(context, "start_date"), AdminQuery.Date(context, "end_date"));
        var tags = await Store(context).GetSpendByTagAsync(start, end is { } e ? EndOfDay(context, e) : null, 1000, context.RequestAborted);
        await AdminQuery.WriteAsync(context, new JsonArray([.. tags.Select(t => (JsonNode?)new JsonObject
        {
            ["individual_request_tag"] = t.Tag,
            ["log_count"] = t.LogCount,
            ["total_spend"] = t.TotalSpend,
        })]));
    }

    /// <summary>
    /// <c>[{group_by_day, teams|api_keys|models: [{team_name|api_key|model, total_spend, metadata: [{model, spend, total_tokens}]}]}]</c>;
    /// <c>start_date</c> and <c>end_date</c> (inclusive) are required, as in LiteLLM.
    /// </summary>
    private static async Task ReportAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var start = AdminQuery.Date(context, "start_date") ?? throw GatewayErrors.Invalid("'start_date' is required (YYYY-MM-DD).", "start_date", "missing_field");
        var end = EndOfDay(context, AdminQuery.Date(context, "end_date") ?? throw GatewayErrors.Invalid("'end_date' is required (YYYY-MM-DD).", "end_date", "missing_field"));
        if (end <= start || (end - start).TotalDays > MaxDays + 1)
        {
            throw GatewayErrors.Invalid($"'end_date' must be on or after 'start_date' and at most {MaxDays} days later.", "end_date", "invalid_field");
        }

        var (grouping, plural, nameField) = AdminQuery.Str(context, "group_by") switch
        {
            null or "team" => (SpendGrouping.Team, "teams", "team_name"),
            "api_key" or "key" => (SpendGrouping.Key, "api_keys", "api_key"),
            "model" => (SpendGrouping.Model, "models", "model"),
            "customer" => (SpendGrouping.Customer, "customers", "customer"),
            var other => throw GatewayErrors.Invalid($"'group_by' must be 'team', 'customer', 'api_key' or 'model'; got '{other}'.", "group_by", "invalid_field"),
        };
        var rows = await Store(context).GetDailySpendAsync(start, end, grouping, null, context.RequestAborted);
        if (rows.Count > SqlGatewayStore.MaxReportRows)
        {
            throw GatewayErrors.Invalid($"The report would have more than {SqlGatewayStore.MaxReportRows:N0} rows (days × groups × models); narrow the date range.", "end_date", "report_too_large");
        }

        var teamNames = grouping == SpendGrouping.Team ? await TeamNamesAsync(context, rows) : null;
        var days = new JsonArray();
        foreach (var day in rows.GroupBy(r => r.Day))
        {
            var groups = new JsonArray();
            foreach (var group in day.GroupBy(r => r.Group))
            {
                var entry = new JsonObject
                {
                    [nameField] = grouping == SpendGrouping.Team && group.Key is { } id ? teamNames!.GetValueOrDefault(id, id) : group.Key,
                    ["total_spend"] = group.Sum(r => r.Spend),
                    ["total_tokens"] = group.Sum(r => r.TotalTokens),
                    ["api_requests"] = group.Sum(r => r.Requests),
                    ["metadata"] = new JsonArray([.. group.Select(r => (JsonNode?)new JsonObject { ["model"] = r.ModelGroup, ["spend"] = r.Spend, ["total_tokens"] = r.TotalTokens })]),
                };
                if (grouping == SpendGrouping.Team)
                {
                    entry["team_id"] = group.Key;
                }

                groups.Add((JsonNode)entry);
            }

            days.Add((JsonNode)new JsonObject { ["group_by_day"] = day.Key.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture), [plural] = groups });
        }

        await AdminQuery.WriteAsync(context, days);
    }

    /// <summary>A date without a time means the whole day: the range ends at the next midnight.</summary>
    private static DateTimeOffset EndOfDay(HttpContext context, DateTimeOffset end)
        => AdminQuery.Str(context, "end_date")!.Length <= 10 ? end.AddDays(1) : end;

    private static async Task<Dictionary<string, string>> TeamNamesAsync(HttpContext context, IReadOnlyList<DailySpend> rows)
    {
        // One query for every team (bounded) rather than one per team in the report.
        var wanted = rows.Select(r => r.Group).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var teams = await context.RequestServices.GetRequiredService<IKeyStore>().ListTeamsAsync(null, 1000, context.RequestAborted);
        return teams.Where(t => wanted.Contains(t.TeamId) && t.TeamAlias is not null).ToDictionary(t => t.TeamId, t => t.TeamAlias!, StringComparer.Ordinal);
    }

    private static ISpendStore Store(HttpContext context) => context.RequestServices.GetRequiredService<ISpendStore>();
}
