using System.Collections.Concurrent;

namespace LiteLlm.Routing;

/// <summary>When to hedge: after a fixed delay, or adaptively after the group's observed percentile, within a share.</summary>
internal sealed partial class RouterCore
{
    private readonly ConcurrentDictionary<string, GroupHedging> _hedging = new(StringComparer.OrdinalIgnoreCase);

    private bool HedgingOn => _options.AdaptiveHedging || _options.HedgeAfter is not null;

    /// <summary>The most of a group's requests that may be hedged: the configured share, else 5% when adaptive.</summary>
    private double? HedgeCap => _options.MaxHedgedShare ?? (_options.AdaptiveHedging ? 0.05 : null);

    private GroupHedging HedgingOf(string group) => _hedging.GetOrAdd(group, static _ => new GroupHedging());

    /// <summary>How long this attempt waits before it is hedged, or null when it is not to be hedged.</summary>
    private TimeSpan? HedgeDelay(AttemptState state)
    {
        var hedging = HedgingOf(state.Group);
        if (HedgeCap is not null)
        {
            hedging.CountRequest();
        }

        return _options.AdaptiveHedging
            ? hedging.Threshold(_groups[state.Group], state.Request.IsStreaming, _options.HedgePercentile, _options.HedgeMinSamples)
            : _options.HedgeAfter;
    }
}
