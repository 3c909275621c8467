using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>The dashboard: totals and SVG charts over the spend reports.</summary>
internal static class UiPages
{
    /// <summary>Days the dashboard shows, today included.</summary>
    private const int Days = 14;

    private static readonly string[] Palette = ["#2457c5", "#e07b00", "#1e7b34", "#b3261e", "#7b3fb3", "#00838f", "#8d6e00", "#5b6878"];

    /// <summary>Spend and requests per day by model: the daily report for admins and viewers, the caller's own log rows for others.</summary>
    public static async Task DashboardAsync(HttpContext context, UiSession session)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var today = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime.Date;
        var first = today.AddDays(1 - Days);
        var points = new List<(DateTime Day, string Model, decimal Spend, long Requests)>();
        UiApiResult result;
        var note = string.Empty;
        if (session.ReadsAll)
        {
            result = await api.GetAsync(session.Key, $"/global/spend/report?group_by=model&start_date={first:yyyy-MM-dd}&end_date={today:yyyy-MM-dd}", context.RequestAborted);
            foreach (var day in result.Body is JsonArray days ? days : [])
            {
                var date = DateTime.Parse(Str(day?["group_by_day"]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).Date;
                foreach (var m in day?["models"]?.AsArray() ?? [])
                {
                    points.Add((date, Str(m?["model"]), m?["total_spend"]?.GetValue<decimal>() ?? 0, m?["api_requests"]?.GetValue<long>() ?? 0));
                }
            }
        }
        else
        {
            // Others may not read the global report: their own rows (the API filters them), the newest 500.
            result = await api.GetAsync(session.Key, $"/spend/logs?page_size=500&start_date={first:yyyy-MM-dd}", context.RequestAborted);
            foreach (var r in result.Body?["data"]?.AsArray() ?? [])
            {
                var date = DateTime.Parse(Str(r?["startTime"]), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal).Date;
                points.Add((date, Str(r?["model_group"]), r?["spend"]?.GetValue<decimal>() ?? 0, 1));
            }

            if ((result.Body?["total"]?.GetValue<long>() ?? 0) > 500)
            {
                note = "<p>Showing your newest 500 requests of this period.</p>";
            }
        }

        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Dashboard</h1>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        var models = points.GroupBy(x => x.Model).OrderByDescending(g => g.Sum(x => x.Spend)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToList();
        body.Append("<div class=\"cards\"><div class=\"card\"><span>Spend, last ").Append(Days).Append(" days</span><strong id=\"total-spend\">")
            .Append(E(Money(points.Sum(x => x.Spend)))).Append("</strong></div><div class=\"card\"><span>Requests</span><strong id=\"total-requests\">")
            .Append(points.Sum(x => x.Requests).ToString(CultureInfo.InvariantCulture)).Append("</strong></div></div>").Append(note);
        var dayList = Enumerable.Range(0, Days).Select(i => first.AddDays(i)).ToList();
        body.Append("<h2>Spend per day</h2>").Append(Chart("chart-spend", dayList, models, points, x => (double)x.Spend, v => Money((decimal)v)));
        body.Append("<h2>Requests per day</h2>").Append(Chart("chart-requests", dayList, models, points, x => x.Requests, v => v.ToString("0.#", CultureInfo.InvariantCulture)));
        body.Append("<h2>By model</h2><table id=\"by-model\"><thead><tr><th>Model group</th><th>Requests</th><th>Spend</th></tr></thead><tbody>");
        foreach (var m in models)
        {
            var rows = points.Where(x => x.Model == m).ToList();
            body.Append("<tr><td>").Append(E(m)).Append("</td><td>").Append(rows.Sum(x => x.Requests).ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(E(Money(rows.Sum(x => x.Spend)))).Append("</td></tr>");
        }

        await WriteAsync(context, "Dashboard", session, "dashboard", body.Append("</tbody></table>").ToString());
    }

    /// <summary>A stacked bar per day (one colour per model) with a y scale and a legend, drawn on the server.</summary>
    private static string Chart(string id, List<DateTime> days, List<string> models, List<(DateTime Day, string Model, decimal Spend, long Requests)> points,
        Func<(DateTime Day, string Model, decimal Spend, long Requests), double> value, Func<double, string> label)
    {
        const int width = 760, height = 260, left = 70, top = 10, bottom = 40;
        var plotHeight = height - top - bottom;
        var totals = days.Select(d => points.Where(x => x.Day == d).Sum(value)).ToList();
        var max = Math.Max(totals.Max(), 1e-9);
        var slot = (width - left - 10) / (double)days.Count;
        var svg = new StringBuilder($"<svg id=\"{id}\" viewBox=\"0 0 {width} {height + 20 * ((models.Count + 3) / 4)}\" width=\"{width}\" role=\"img\" aria-label=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"system-ui,sans-serif\">");
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotHeight - (plotHeight * i / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - 10}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e3e7ec\"/><text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#5b6878\">{E(label(max * i / 4))}</text>");
        }

        for (var d = 0; d < days.Count; d++)
        {
            var x = left + (d * slot) + (slot * 0.15);
            var y = (double)(top + plotHeight);
            for (var m = 0; m < models.Count; m++)
            {
                var v = points.Where(p => p.Day == days[d] && p.Model == models[m]).Sum(value);
                if (v <= 0)
                {
                    continue;
                }

                var h = plotHeight * v / max;
                y -= h;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{Math.Max(h, 1):0.#}\" fill=\"{Palette[m % Palette.Length]}\"><title>{E(days[d].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))} {E(models[m])}: {E(label(v))}</title></rect>");
            }

            if (d % 2 == (days.Count - 1) % 2)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot * 0.35):0.#}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\" fill=\"#5b6878\">{days[d]:MM-dd}</text>");
            }
        }

        for (var m = 0; m < models.Count; m++)
        {
            var (lx, ly) = (left + (m % 4 * 170), height + (m / 4 * 20) - 8);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{Palette[m % Palette.Length]}\"/><text x=\"{lx + 14}\" y=\"{ly}\" fill=\"#1c2430\">{E(models[m])}</text>");
        }

        return svg.Append("</svg>").ToString();
    }
}
