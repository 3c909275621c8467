using System.Collections.Concurrent;

namespace LiteLlm.Cost;

/// <summary>
/// Budget counters in process memory, for a single instance. Each counter has its own lock; a reservation takes the
/// locks of its counters in key order (so two reservations never deadlock) and holds them only to compare and add.
/// </summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int SweepEvery = 4096;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _operations;

    /// <inheritdoc />
    public ValueTask<BudgetRefusal?> TryReserveAsync(IReadOnlyList<BudgetCounter> counters, decimal amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        SweepSometimes(now);
        var byIndex = new Entry[counters.Count];
        var entries = new (Entry Entry, int Index)[counters.Count];
        for (var i = 0; i < counters.Count; i++)
        {
            byIndex[i] = _entries.GetOrAdd(counters[i].Key, static (_, c) => new Entry(c.ExpiresAt) { Spend = c.InitialSpend }, counters[i]);
            entries[i] = (byIndex[i], i);
        }

        Array.Sort(entries, (a, b) => string.CompareOrdinal(counters[a.Index].Key, counters[b.Index].Key));
        var taken = 0;
        try
        {
            foreach (var (entry, _) in entries)
            {
                Monitor.Enter(entry);
                taken++;
            }

            for (var i = 0; i < counters.Count; i++)
            {
                var entry = byIndex[i];
                var used = entry.Spend + entry.Reserved;
                if (used >= counters[i].Limit || (!counters[i].AdmitWhileBelowLimit && used + amount > counters[i].Limit))
                {
                    return ValueTask.FromResult<BudgetRefusal?>(new BudgetRefusal(i, entry.Spend, entry.Reserved));
                }
            }

            foreach (var (entry, _) in entries)
            {
                entry.Reserved += amount;
            }

            return ValueTask.FromResult<BudgetRefusal?>(null);
        }
        finally
        {
            for (var i = taken - 1; i >= 0; i--)
            {
                Monitor.Exit(entries[i].Entry);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask SettleAsync(IReadOnlyList<BudgetCounter> counters, decimal reserved, decimal actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        foreach (var counter in counters)
        {
            if (_entries.TryGetValue(counter.Key, out var entry))
            {
                lock (entry)
                {
                    entry.Reserved = Math.Max(0, entry.Reserved - reserved);
                    entry.Spend += actual;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<(decimal Spend, decimal Reserved)> GetAsync(BudgetCounter counter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(counter.Key, out var entry))
        {
            lock (entry)
            {
                return ValueTask.FromResult((entry.Spend, entry.Reserved));
            }
        }

        return ValueTask.FromResult((0m, 0m));
    }

    // Keys name their window, so a past window's counter is never read again; drop those now and then.
    private void SweepSometimes(DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _operations) % SweepEvery != 0)
        {
            return;
        }

        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt is { } end && end <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed class Entry(DateTimeOffset? expiresAt)
    {
        public DateTimeOffset? ExpiresAt { get; } = expiresAt;

        public decimal Spend { get; set; }

        public decimal Reserved { get; set; }
    }
}
