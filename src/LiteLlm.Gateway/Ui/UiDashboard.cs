using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;
using Point = LiteLlm.Gateway.Ui.UiPages.Point;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The dashboard: spend and requests over time (days or hours) by model, key or team, the error rate and the top
/// spending keys and teams. Admins and viewers read the daily spend report (exact at any volume) for the day view; the
/// hour view, the error rate and everyone else's view come from the spend log rows the API lets the key read.
/// </summary>
internal static class UiDashboard
{
    private const int Days = 14;
    private const int Hours = 24;
    private const int PageSize = 500;
    private const int MaxPages = 10;

    private static readonly (string By, string Label, string Report)[] Dimensions = [("model", "model", "model"), ("key", "key", "api_key"), ("team", "team", "team")];

    /// <summary>One spend log row, reduced to what the dashboard counts.</summary>
    private readonly record struct Row(DateTime Bucket, string Model, string Key, string Team, decimal Spend, bool Failed);

    public static async Task DashboardAsync(HttpContext context, UiSession session)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var hourly = context.Request.Query["period"] == "hour";
        var by = Dimensions.FirstOrDefault(d => d.By == context.Request.Query["by"], Dimensions[0]);
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var last = hourly ? new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc) : now.Date;
        var buckets = Enumerable.Range(0, hourly ? Hours : Days).Select(i => hourly ? last.AddHours(i + 1 - Hours) : last.AddDays(i + 1 - Days)).ToList();
        var first = buckets[0];

        // The log rows of the period (newest first, capped): the error rate, the hour view, and every view of a non-admin.
        var rows = new List<Row>();
        long total = 0;
        UiApiResult? failed = null;
        for (var page = 1; page <= MaxPages; page++)
        {
            var result = await api.GetAsync(session.Key, $"/spend/logs?page_size={PageSize}&page={page}&start_date={first:yyyy-MM-ddTHH:mm:ss}Z", context.RequestAborted);
            if (!result.Ok)
            {
                failed = result;
                break;
            }

            foreach (var r in result.Body?["data"]?.AsArray() ?? [])
            {
                var at = DateTime.Parse(Str(r?["startTime"]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                rows.Add(new Row(hourly ? new DateTime(at.Year, at.Month, at.Day, at.Hour, 0, 0, DateTimeKind.Utc) : at.Date, Str(r?["model_group"]),
                    Str(r?["api_key"]), Str(r?["team_id"]), r?["spend"]?.GetValue<decimal>() ?? 0, Str(r?["status"]) is { Length: > 0 } s && s != "success"));
            }

            total = result.Body?["total"]?.GetValue<long>() ?? 0;
            if (rows.Count >= total || (result.Body?["data"]?.AsArray().Count ?? 0) < PageSize)
            {
                break;
            }
        }

        if (failed is not null && await SignedOutAsync(context, failed))
        {
            return;
        }

        var keys = await NamesAsync(api, session, "/key/list?return_full_object=true&size=100", "keys", "token", k => Str(k?["key_alias"]) is { Length: > 0 } a ? a : Str(k?["key_name"]), context.RequestAborted);
        var teams = await NamesAsync(api, session, "/team/list", null, "team_id", t => Str(t?["team_alias"]) is { Length: > 0 } a ? a : Str(t?["team_id"]), context.RequestAborted);
        string KeyName(string hash) => keys.TryGetValue(hash, out var n) && n.Length > 0 ? n : hash.Length > 10 ? hash[..10] + "…" : hash;
        string TeamName(string id) => id.Length == 0 ? "(no team)" : teams.TryGetValue(id, out var n) && n.Length > 0 ? n : id;

        // Spend and requests per bucket and group, for each dimension: the exact daily report for admins, else the rows.
        var series = new Dictionary<string, List<Point>>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var (dim, _, report) in Dimensions)
        {
            if (session.ReadsAll && !hourly)
            {
                var result = await api.GetAsync(session.Key, $"/global/spend/report?group_by={report}&start_date={first:yyyy-MM-dd}&end_date={last:yyyy-MM-dd}", context.RequestAborted);
                if (await SignedOutAsync(context, result))
                {
                    return;
                }

                if (!result.Ok)
                {
                    errors.Add(result.Error);
                }

                series[dim] = [.. Report(result, dim, KeyName, TeamName)];
            }
            else
            {
                series[dim] = [.. rows.Select(r => new Point(r.Bucket, dim switch { "model" => r.Model, "key" => KeyName(r.Key), _ => TeamName(r.Team) }, r.Spend, 1))];
            }
        }

        var body = new StringBuilder("<h1>Dashboard</h1>");
        foreach (var error in errors.Distinct(StringComparer.Ordinal).Append(failed?.Error).OfType<string>())
        {
            body.Append(Error(error));
        }

        var points = series[by.By];
        var groups = points.GroupBy(x => x.Group).OrderByDescending(g => g.Sum(x => x.Spend)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        var failures = rows.Count(r => r.Failed);
        var period = hourly ? $"last {Hours} hours" : $"last {Days} days";
        body.Append(Switch(hourly, by.By))
            .Append("<div class=\"cards\"><div class=\"card\"><span>Spend, ").Append(period).Append("</span><strong id=\"total-spend\">").Append(E(Money(points.Sum(x => x.Spend))))
            .Append("</strong></div><div class=\"card\"><span>Requests</span><strong id=\"total-requests\">").Append(points.Sum(x => x.Requests).ToString(CultureInfo.InvariantCulture))
            .Append("</strong></div><div class=\"card\"><span>Error rate</span><strong id=\"error-rate\">")
            .Append(rows.Count == 0 ? "–" : (failures / (double)rows.Count).ToString("0.#%", CultureInfo.InvariantCulture)).Append("</strong><span id=\"errors\">")
            .Append(failures.ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(rows.Count.ToString(CultureInfo.InvariantCulture)).Append(" failed</span></div></div>");
        if (total > rows.Count)
        {
            body.Append("<p>Hourly figures and the error rate count the newest ").Append(rows.Count.ToString(CultureInfo.InvariantCulture)).Append(" of ")
                .Append(total.ToString(CultureInfo.InvariantCulture)).Append(" requests of this period.</p>");
        }

        var (unit, format) = hourly ? ("hour", "HH:mm") : ("day", "MM-dd");
        body.Append("<h2>Spend per ").Append(unit).Append(" by ").Append(by.Label).Append("</h2>")
            .Append(UiPages.Responsive("chart-spend", buckets, format, groups, points, x => (double)x.Spend, v => Money((decimal)v)))
            .Append("<h2>Requests per ").Append(unit).Append(" by ").Append(by.Label).Append("</h2>")
            .Append(UiPages.Responsive("chart-requests", buckets, format, groups, points, x => x.Requests, v => v.ToString("0.#", CultureInfo.InvariantCulture)));

        body.Append("<div class=\"cards\"><div><h2>Top keys</h2>").Append(UiPages.Bars("top-keys", Top(series["key"])))
            .Append("</div><div><h2>Top teams</h2>").Append(UiPages.Bars("top-teams", Top(series["team"]))).Append("</div></div>");

        body.Append("<h2>By model</h2><div class=\"scroll\"><table id=\"by-model\"><thead><tr><th>Model group</th><th>Requests</th><th>Spend</th><th>Errors</th></tr></thead><tbody>");
        foreach (var group in series["model"].GroupBy(x => x.Group).OrderByDescending(g => g.Sum(x => x.Spend)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var modelRows = rows.Where(r => r.Model == group.Key).ToList();
            body.Append("<tr><td>").Append(E(group.Key)).Append("</td><td>").Append(group.Sum(x => x.Requests).ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(E(Money(group.Sum(x => x.Spend)))).Append("</td><td>")
                .Append(modelRows.Count(r => r.Failed).ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(modelRows.Count.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        await WriteAsync(context, "Dashboard", session, "dashboard", body.Append("</tbody></table></div>").ToString());
    }

    /// <summary>Links that switch the period and the grouping (plain links: the page has no script).</summary>
    private static string Switch(bool hourly, string by)
    {
        var html = new StringBuilder("<p class=\"switch\">Period: ");
        foreach (var (value, label) in new[] { ("day", "days"), ("hour", "hours") })
        {
            html.Append(Link("period-" + value, $"?period={value}&by={by}", label, (value == "hour") == hourly));
        }

        html.Append(" · By: ");
        foreach (var (dim, label, _) in Dimensions)
        {
            html.Append(Link("group-" + dim, $"?period={(hourly ? "hour" : "day")}&by={dim}", label, dim == by));
        }

        return html.Append("</p>").ToString();
    }

    private static string Link(string id, string query, string label, bool on)
        => $"<a id=\"{id}\" href=\"{Root}/dashboard{E(query)}\"{(on ? " class=\"on\"" : string.Empty)}>{E(label)}</a> ";

    private static List<(string Name, decimal Value)> Top(List<Point> points)
        => [.. points.GroupBy(p => p.Group).Select(g => (g.Key, g.Sum(p => p.Spend))).Where(x => x.Item2 > 0).OrderByDescending(x => x.Item2).Take(8)];

    /// <summary>The daily spend report as points of one dimension (keys and teams by their display names).</summary>
    private static IEnumerable<Point> Report(UiApiResult result, string dim, Func<string, string> keyName, Func<string, string> teamName)
    {
        var (plural, field) = dim switch { "model" => ("models", "model"), "key" => ("api_keys", "api_key"), _ => ("teams", "team_id") };
        foreach (var day in result.Body as JsonArray ?? [])
        {
            var date = DateTime.Parse(Str(day?["group_by_day"]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).Date;
            foreach (var g in day?[plural]?.AsArray() ?? [])
            {
                var name = Str(g?[field]);
                var group = dim switch { "model" => name, "key" => keyName(name), _ => teamName(name) };
                yield return new Point(date, group, g?["total_spend"]?.GetValue<decimal>() ?? 0, g?["api_requests"]?.GetValue<long>() ?? 0);
            }
        }
    }

    /// <summary>Display names by id from a listing the key may read (empty when it may not: the ids are shown instead).</summary>
    private static async Task<Dictionary<string, string>> NamesAsync(UiApi api, UiSession session, string path, string? list, string idField, Func<JsonNode?, string> name, CancellationToken cancellationToken)
    {
        var result = await api.GetAsync(session.Key, path, cancellationToken);
        var items = (list is null ? result.Body as JsonArray : result.Body?[list] as JsonArray) ?? [];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            names[Str(item?[idField])] = name(item);
        }

        return names;
    }
}
