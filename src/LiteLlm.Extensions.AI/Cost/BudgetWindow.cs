using System.Globalization;
using System.Text.RegularExpressions;

namespace LiteLlm.Cost;

/// <summary>A budget's reset period: fixed windows aligned in UTC (see <see cref="Budget"/>).</summary>
internal readonly partial record struct BudgetWindow(int Count, char Unit)
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset FirstMonday = new(1970, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public bool IsNone => Count == 0;

    public static BudgetWindow Parse(string? duration)
    {
        if (string.IsNullOrWhiteSpace(duration))
        {
            return default;
        }

        var match = DurationPattern().Match(duration.Trim());
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            throw new ArgumentException($"Budget duration '{duration}' is not '<n>s|m|h|d|w|mo' (e.g. '1h', '1d', '30d', '1mo').", nameof(duration));
        }

        var unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "MO" => 'M',
            var u => char.ToLowerInvariant(u[0]),
        };
        return new BudgetWindow(count, unit);
    }

    /// <summary>Gets the window that contains <paramref name="now"/>: its start (inclusive) and end (exclusive).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) At(DateTimeOffset now)
    {
        now = now.ToUniversalTime();
        if (Unit == 'M')
        {
            var monthIndex = ((now.Year * 12) + now.Month - 1) / Count * Count;
            var start = new DateTimeOffset(monthIndex / 12, (monthIndex % 12) + 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddMonths(Count));
        }

        var length = Unit switch
        {
            's' => TimeSpan.FromSeconds(Count),
            'm' => TimeSpan.FromMinutes(Count),
            'h' => TimeSpan.FromHours(Count),
            'd' => TimeSpan.FromDays(Count),
            _ => TimeSpan.FromDays(7 * Count),
        };
        var origin = Unit == 'w' ? FirstMonday : Epoch;
        var blocks = Math.Floor((now - origin).Ticks / (double)length.Ticks);
        var begin = origin.AddTicks((long)blocks * length.Ticks);
        return (begin, begin + length);
    }

    [GeneratedRegex("^([0-9]+)(s|m|h|d|w|mo)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
