using System.Globalization;
using System.Text.RegularExpressions;

namespace LiteLlm.Cost;

/// <summary>
/// A budget's reset period (LiteLLM's <c>budget_duration</c>): fixed windows aligned in UTC, as <see cref="Budget"/> counts
/// them. Public so that a host keeping its own budgets (per key, team or user in a database) resets them on the same windows.
/// </summary>
public readonly partial record struct BudgetWindow
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private static readonly DateTimeOffset FirstMonday = new(1970, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private BudgetWindow(int count, char unit)
    {
        Count = count;
        Unit = unit;
    }

    /// <summary>Gets a value indicating whether there is no period (a budget that never resets).</summary>
    public bool IsNone => Count == 0;

    /// <summary>Gets how many units one window lasts.</summary>
    internal int Count { get; }

    /// <summary>Gets the unit: <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c>, or <c>M</c> for months.</summary>
    internal char Unit { get; }

    /// <summary>Reads a duration: <c>30s</c>, <c>1h</c>, <c>1d</c>, <c>30d</c>, <c>1w</c>, <c>1mo</c>; none for null or blank.</summary>
    /// <param name="duration">The duration text.</param>
    /// <returns>The period.</returns>
    /// <exception cref="ArgumentException"><paramref name="duration"/> is not a duration.</exception>
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
    /// <param name="now">The instant.</param>
    /// <returns>The window's bounds in UTC.</returns>
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
