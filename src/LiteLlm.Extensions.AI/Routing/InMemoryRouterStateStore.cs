using System.Collections.Concurrent;

namespace LiteLlm.Routing;

/// <summary>Router state in this process: per-deployment counters under a short per-entry lock.</summary>
public sealed class InMemoryRouterStateStore : IRouterStateStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DeploymentUsage>> GetAsync(IReadOnlyList<string> deploymentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentIds);
        var minute = MinuteOf(now);
        var result = new DeploymentUsage[deploymentIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            if (_entries.TryGetValue(deploymentIds[i], out var e))
            {
                lock (e)
                {
                    var current = e.Minute == minute;
                    result[i] = new DeploymentUsage(current ? e.Requests : 0, current ? e.Tokens : 0, e.CooldownUntil > now ? e.CooldownUntil : null);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<DeploymentUsage>>(result);
    }

    /// <inheritdoc/>
    public ValueTask AddUsageAsync(string deploymentId, long requests, long tokens, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var e = _entries.GetOrAdd(deploymentId, static _ => new Entry());
        var minute = MinuteOf(now);
        lock (e)
        {
            if (e.Minute != minute)
            {
                e.Minute = minute;
                e.Requests = 0;
                e.Tokens = 0;
            }

            e.Requests += requests;
            e.Tokens += tokens;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<long> AddFailureAsync(string deploymentId, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var e = _entries.GetOrAdd(deploymentId, static _ => new Entry());
        var bucket = now.UtcTicks / Math.Max(1, window.Ticks);
        lock (e)
        {
            if (e.FailBucket != bucket)
            {
                e.FailBucket = bucket;
                e.Fails = 0;
            }

            return ValueTask.FromResult(++e.Fails);
        }
    }

    /// <inheritdoc/>
    public ValueTask CoolDownAsync(string deploymentId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var e = _entries.GetOrAdd(deploymentId, static _ => new Entry());
        lock (e)
        {
            if (until > e.CooldownUntil)
            {
                e.CooldownUntil = until;
            }
        }

        return ValueTask.CompletedTask;
    }

    internal static long MinuteOf(DateTimeOffset now) => now.ToUnixTimeSeconds() / 60;

    private sealed class Entry
    {
        public long Minute { get; set; }

        public long Requests { get; set; }

        public long Tokens { get; set; }

        public long FailBucket { get; set; }

        public long Fails { get; set; }

        public DateTimeOffset CooldownUntil { get; set; }
    }
}
