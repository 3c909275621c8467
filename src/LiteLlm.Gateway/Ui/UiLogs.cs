using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The spend log over <c>/spend/logs</c>: filters (key, team, model, status, dates), one request's detail, and a CSV
/// download of every row the filters match. The API decides whose rows a key sees (an internal user: their own).
/// </summary>
internal static class UiLogs
{
    private const int PerPage = 50;

    /// <summary>Rows fetched per management call while the CSV streams (the API's largest page).</summary>
    private const int CsvPage = 500;

    /// <summary>The CSV's columns: the <c>/spend/logs</c> field of each.</summary>
    private static readonly string[] Columns =
        ["request_id", "startTime", "endTime", "api_key", "user", "team_id", "model_group", "model", "model_id", "custom_llm_provider", "call_type",
         "status", "prompt_tokens", "completion_tokens", "total_tokens", "spend", "cache_hit", "request_tags"];

    /// <summary>The filter fields of the page (form names), with the <c>/spend/logs</c> parameter each becomes.</summary>
    private static readonly (string Field, string Param)[] Filters =
        [("key", "api_key"), ("team", "team_id"), ("model", "model"), ("status", "status"), ("from", "start_date"), ("until", "end_date")];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/logs", Page(ListAsync));
        endpoints.MapGet(Root + "/logs/detail", Page(DetailAsync));
        endpoints.MapGet(Root + "/logs.csv", Page(CsvAsync));
    }

    /// <summary>The <c>/spend/logs</c> query of the page's filters; "until" is a day included in the range (the API's end is exclusive).</summary>
    private static string ApiFilters(IQueryCollection q)
    {
        var text = new StringBuilder();
        foreach (var (field, param) in Filters)
        {
            var value = q[field].ToString().Trim();
            if (value.Length == 0)
            {
                continue;
            }

            if (field == "until" && DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                value = day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            text.Append('&').Append(param).Append('=').Append(UiForm.Q(value));
        }

        return text.ToString();
    }

    /// <summary>The page's own query string for the same filters (for the pager and the CSV link).</summary>
    private static string PageFilters(IQueryCollection q)
        => string.Concat(Filters.Select(f => q[f.Field].ToString().Trim() is { Length: > 0 } v ? "&" + f.Field + "=" + UiForm.Q(v) : string.Empty));

    private static async Task ListAsync(HttpContext context, UiSession session)
    {
        var q = context.Request.Query;
        var page = Math.Max(1, int.TryParse(q["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 1);
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, $"/spend/logs?page={page}&page_size={PerPage}{ApiFilters(q)}", context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Logs</h1><form method=\"get\" action=\"").Append(Root).Append("/logs\" id=\"filters\"><fieldset>")
            .Append(Input("key", "Key (sk-… or hash)", q["key"], 14, "f-key")).Append(Input("team", "Team", q["team"], 10, "f-team"))
            .Append(Input("model", "Model group", q["model"], 12, "f-model"))
            .Append("<label>Status <input name=\"status\" id=\"f-status\" list=\"statuses\" size=\"10\" value=\"").Append(E(q["status"])).Append("\"></label>")
            .Append("<datalist id=\"statuses\"><option value=\"success\"><option value=\"RateLimit\"><option value=\"BadRequest\"><option value=\"Timeout\"><option value=\"Cancelled\"><option value=\"Error\"></datalist>")
            .Append("<label>From <input type=\"date\" name=\"from\" id=\"f-from\" value=\"").Append(E(q["from"])).Append("\"></label>")
            .Append("<label>Until <input type=\"date\" name=\"until\" id=\"f-until\" value=\"").Append(E(q["until"])).Append("\"></label>")
            .Append("<button id=\"filter\">Filter</button> <a id=\"csv\" href=\"").Append(Root).Append("/logs.csv?").Append(E(PageFilters(q).TrimStart('&'))).Append("\">Download CSV</a></fieldset></form>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        body.Append("<div class=\"scroll\"><table id=\"logs\"><thead><tr><th>Start</th><th>Request</th><th>Key</th><th>User</th><th>Team</th><th>Model group</th><th>Model</th><th>Tokens in / out</th><th>Cost</th><th>Status</th></tr></thead><tbody>");
        foreach (var r in result.Body?["data"]?.AsArray() ?? [])
        {
            var id = Str(r?["request_id"]);
            body.Append("<tr><td>").Append(E(Str(r?["startTime"]))).Append("</td><td><a class=\"detail\" href=\"").Append(Root).Append("/logs/detail?request_id=").Append(E(UiForm.Q(id))).Append("\"><code>")
                .Append(E(id)).Append("</code></a></td><td><code>").Append(E(Short(Str(r?["api_key"])))).Append("</code></td><td>").Append(E(Str(r?["user"]))).Append("</td><td>").Append(E(Str(r?["team_id"])))
                .Append("</td><td>").Append(E(Str(r?["model_group"]))).Append("</td><td>").Append(E(Str(r?["model"]))).Append("</td><td>")
                .Append(E(Num(r?["prompt_tokens"]))).Append(" / ").Append(E(Num(r?["completion_tokens"]))).Append("</td><td class=\"cost\">")
                .Append(E(Cost(r))).Append("</td><td class=\"status\">").Append(E(Str(r?["status"]))).Append("</td></tr>");
        }

        var total = result.Body?["total"]?.GetValue<long>() ?? 0;
        body.Append("</tbody></table></div><p class=\"pager\">").Append(total.ToString(CultureInfo.InvariantCulture)).Append(" requests · page ").Append(page.ToString(CultureInfo.InvariantCulture)).Append(' ');
        var f = PageFilters(q);
        if (page > 1)
        {
            body.Append("<a href=\"").Append(Root).Append("/logs?page=").Append((page - 1).ToString(CultureInfo.InvariantCulture)).Append(E(f)).Append("\">previous</a>");
        }

        if (page * PerPage < total)
        {
            body.Append("<a id=\"next\" href=\"").Append(Root).Append("/logs?page=").Append((page + 1).ToString(CultureInfo.InvariantCulture)).Append(E(f)).Append("\">next</a>");
        }

        await WriteAsync(context, "Logs", session, "logs", body.Append("</p>").ToString());
    }

    /// <summary>One request: every field <c>/spend/logs?request_id=</c> answers (a request the key may not see is not found).</summary>
    private static async Task DetailAsync(HttpContext context, UiSession session)
    {
        var id = context.Request.Query["request_id"].ToString().Trim();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/spend/logs?page_size=1&request_id=" + UiForm.Q(id), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Request</h1><p><a href=\"").Append(Root).Append("/logs\">← all logs</a></p>");
        var row = result.Body?["data"]?.AsArray().FirstOrDefault();
        if (!result.Ok || row is null || id.Length == 0)
        {
            await WriteAsync(context, "Request", session, "logs", body.Append(Error(result.Ok ? "No request with this id in the logs you may read." : result.Error)).ToString(), result.Ok ? 404 : result.Status);
            return;
        }

        body.Append("<dl class=\"detail\" id=\"detail\">");
        foreach (var column in Columns)
        {
            var text = column == "spend" ? Cost(row) : Cell(row[column]);
            body.Append("<dt>").Append(E(column)).Append("</dt><dd data-field=\"").Append(E(column)).Append("\">").Append(E(text)).Append("</dd>");
        }

        await WriteAsync(context, "Request", session, "logs", body.Append("</dl>").ToString());
    }

    /// <summary>
    /// Every row the filters match as CSV (RFC 4180 quoting), streamed page by page as the API answers, so a large
    /// log never sits in memory. Text that a spreadsheet would run as a formula gets a leading apostrophe.
    /// </summary>
    private static async Task CsvAsync(HttpContext context, UiSession session)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var filters = ApiFilters(context.Request.Query);
        var first = await api.GetAsync(session.Key, $"/spend/logs?page=1&page_size={CsvPage}{filters}", context.RequestAborted);
        if (await SignedOutAsync(context, first))
        {
            return;
        }

        if (!first.Ok)
        {
            await WriteAsync(context, "Logs", session, "logs", Error(first.Error), first.Status);
            return;
        }

        Headers(context);
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"spend-logs.csv\"";
        await context.Response.WriteAsync(string.Join(',', Columns) + "\r\n", context.RequestAborted);
        var result = first;
        for (var page = 1; ; page++)
        {
            var rows = result.Body?["data"]?.AsArray() ?? [];
            var csv = new StringBuilder();
            foreach (var row in rows)
            {
                csv.AppendJoin(',', Columns.Select(c => Quote(Cell(row?[c])))).Append("\r\n");
            }

            await context.Response.WriteAsync(csv.ToString(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (rows.Count < CsvPage || !result.Ok)
            {
                break;
            }

            result = await api.GetAsync(session.Key, $"/spend/logs?page={page + 1}&page_size={CsvPage}{filters}", context.RequestAborted);
        }
    }

    /// <summary>A field of a log row as text: strings as they are, numbers and booleans as JSON writes them, lists joined with <c>;</c>.</summary>
    private static string Cell(JsonNode? node) => node switch
    {
        JsonArray list => string.Join(';', list.Select(Str)),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => string.Empty,
    };

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; a would-be formula is defused.</summary>
    public static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !decimal.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            field = "'" + field;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
    }

    private static string Cost(JsonNode? row) => row?["spend"] is JsonValue v && v.TryGetValue<decimal>(out var d) ? Money(d) : string.Empty;

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;
}
