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
    private async ValueTask<TimeSpan?> HedgeDelayAsync(AttemptState state, CancellationToken cancellationToken)
    {
        var hedging = HedgingOf(state.Group);
        if (HedgeCap is not null)
        {
            hedging.CountRequest();
        }

        if (!_options.AdaptiveHedging)
        {
            return _options.HedgeAfter;
        }

        var streaming = state.Request.IsStreaming;
        if (hedging.TryCached(streaming, out var cached))
        {
            return cached;
        }

        // Every few requests: the group's samples, shared by every replica when the state store shares them, else this process's.
        var shared = await _store.GetLatencySamplesAsync(_groupIds[state.Group], streaming, cancellationToken).ConfigureAwait(false);
        var samples = shared is null ? new List<double>(128) : new List<double>(shared);
        if (shared is null)
        {
            foreach (var d in _groups[state.Group])
            {
                d.Samples(streaming).CopyTo(samples);
            }
        }

        return hedging.Compute(samples, streaming, _options.HedgePercentile, _options.HedgeMinSamples);
    }

    /// <summary>Records a deployment's time to first update (streams) or to the answer, for latency routing and adaptive hedging.</summary>
    internal void RecordLatency(DeploymentState deployment, TimeSpan elapsed, bool streaming)
    {
        if (streaming)
        {
            deployment.RecordTimeToFirstToken(elapsed);
        }
        else
        {
            deployment.RecordLatency(elapsed);
        }

        if (_options.AdaptiveHedging)
        {
            // Off the request path: the built-in stores complete at once (Redis fires and forgets).
            var recording = _store.AddLatencySampleAsync(deployment.Deployment.Id, streaming, elapsed.TotalMilliseconds, CancellationToken.None);
            if (!recording.IsCompletedSuccessfully)
            {
                _ = recording.AsTask();
            }
        }
    }
}
