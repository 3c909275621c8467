using System.Globalization;
using System.Text;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>The dashboard's SVG charts, drawn on the server (no script): stacked bars over time, horizontal bars for top spenders.</summary>
internal static class UiPages
{
    private static readonly string[] Palette = ["#2457c5", "#e07b00", "#1e7b34", "#b3261e", "#7b3fb3", "#00838f", "#8d6e00", "#5b6878"];

    /// <summary>One bar segment: a time bucket, the group it belongs to (a model, key or team) and its value.</summary>
    internal readonly record struct Point(DateTime Bucket, string Group, decimal Spend, long Requests);

    /// <summary>
    /// A stacked bar per bucket (one colour per group) with a y scale and a legend. <paramref name="width"/> is the drawing's
    /// own width: the page draws a wide and a narrow copy and CSS shows one, so the text stays readable on a phone.
    /// </summary>
    public static string Chart(string id, int width, List<DateTime> buckets, string format, List<string> groups, List<Point> points,
        Func<Point, double> value, Func<double, string> label)
    {
        const int height = 260, top = 10, bottom = 40;
        var left = width < 500 ? 66 : 72;
        var plotHeight = height - top - bottom;
        var index = buckets.Select((b, i) => (b, i)).ToDictionary(x => x.b, x => x.i);
        var groupIndex = groups.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        var cells = new double[buckets.Count, Math.Max(groups.Count, 1)];
        foreach (var p in points)
        {
            if (index.TryGetValue(p.Bucket, out var b) && groupIndex.TryGetValue(p.Group, out var g))
            {
                cells[b, g] += value(p);
            }
        }

        var max = 1e-9;
        for (var b = 0; b < buckets.Count; b++)
        {
            max = Math.Max(max, Enumerable.Range(0, groups.Count).Sum(g => cells[b, g]));
        }

        var slot = (width - left - 10) / (double)buckets.Count;
        var columns = Math.Max(1, (width - left) / 170);
        var every = Math.Max(1, (int)Math.Ceiling(buckets.Count * 44 / (double)(width - left)));
        var svg = new StringBuilder($"<svg id=\"{id}\" viewBox=\"0 0 {width} {height + (20 * ((groups.Count + columns - 1) / columns))}\" width=\"{width}\" role=\"img\" aria-label=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\" font-family=\"system-ui,sans-serif\">");
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotHeight - (plotHeight * i / 4.0);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - 10}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e3e7ec\"/><text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" fill=\"#5b6878\">{E(label(max * i / 4))}</text>");
        }

        for (var b = 0; b < buckets.Count; b++)
        {
            var x = left + (b * slot) + (slot * 0.15);
            var y = (double)(top + plotHeight);
            for (var g = 0; g < groups.Count; g++)
            {
                var v = cells[b, g];
                if (v <= 0)
                {
                    continue;
                }

                var h = plotHeight * v / max;
                y -= h;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{Math.Max(h, 1):0.#}\" fill=\"{Palette[g % Palette.Length]}\"><title>{E(buckets[b].ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} {E(groups[g])}: {E(label(v))}</title></rect>");
            }

            if ((buckets.Count - 1 - b) % every == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot * 0.35):0.#}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\" fill=\"#5b6878\">{E(buckets[b].ToString(format, CultureInfo.InvariantCulture))}</text>");
            }
        }

        for (var g = 0; g < groups.Count; g++)
        {
            var (lx, ly) = (left + (g % columns * 170), height + (g / columns * 20) - 8);
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{Palette[g % Palette.Length]}\"/><text x=\"{lx + 14}\" y=\"{ly}\" fill=\"#1c2430\">{E(Short(groups[g], 24))}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>The same chart twice: wide (shown above 700 px) and narrow (shown on a phone), so neither is shrunk unreadably.</summary>
    public static string Responsive(string id, List<DateTime> buckets, string format, List<string> groups, List<Point> points, Func<Point, double> value, Func<double, string> label)
        => $"<div class=\"wide\">{Chart(id, 760, buckets, format, groups, points, value, label)}</div><div class=\"narrow\">{Chart(id + "-narrow", 360, buckets, format, groups, points, value, label)}</div>";

    /// <summary>Horizontal bars, largest first (top spenders): name, bar, value; 360 wide so it fits a phone unscaled.</summary>
    public static string Bars(string id, IReadOnlyList<(string Name, decimal Value)> rows)
    {
        const int width = 360, row = 24, nameWidth = 120;
        var max = Math.Max(rows.Count == 0 ? 0 : (double)rows.Max(r => r.Value), 1e-9);
        var svg = new StringBuilder($"<svg id=\"{id}\" viewBox=\"0 0 {width} {Math.Max(rows.Count, 1) * row + 8}\" width=\"{width}\" role=\"img\" aria-label=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" font-family=\"system-ui,sans-serif\">");
        if (rows.Count == 0)
        {
            svg.Append("<text x=\"8\" y=\"20\" fill=\"#5b6878\">No spend in this period.</text>");
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var y = 4 + (i * row);
            var w = Math.Max(1, (width - nameWidth - 80) * (double)rows[i].Value / max);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{nameWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\" fill=\"#1c2430\">{E(Short(rows[i].Name, 18))}</text>")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{nameWidth}\" y=\"{y + 3}\" width=\"{w:0.#}\" height=\"16\" fill=\"{Palette[i % Palette.Length]}\"><title>{E(rows[i].Name)}: {E(Money(rows[i].Value))}</title></rect>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{nameWidth + w + 6:0.#}\" y=\"{y + 15}\" fill=\"#5b6878\">{E(Money(rows[i].Value))}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Short(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
