using System.Collections.Concurrent;
using System.Globalization;
using LiteLlm.Cost;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Limits;

/// <summary>
/// The budget counters of keys, users and teams: one atomic reserve across all of a request's counters before the call,
/// settled with the recorded cost after it. As in LiteLLM, a request is admitted while settled spend plus the reservations
/// of requests in flight is below <c>max_budget</c> (a small remaining budget admits one more request), so concurrent
/// requests overshoot a budget by at most one request's cost. With Redis the counters live there (the library's <see cref="RedisBudgetStore"/>)
/// and every replica shares them; without it, or while it is unreachable, this process's own counters apply, and the
/// spend made meanwhile is added to the shared counters when Redis returns.
/// </summary>
/// <remarks>
/// A counter starts from what the database already holds: the scope's lifetime spend, or, for a budget with a
/// <c>budget_duration</c>, the spend logged since its current window began (windows are aligned in UTC, as the library's
/// budgets are). Budgets therefore survive restarts, and a window's budget resets when the window turns.
/// </remarks>
internal sealed partial class KeyBudgets(ISpendStore spendStore, TimeProvider time, ILogger<KeyBudgets> logger, RedisLink? redis = null)
{
    private const int MaxSeeds = 100_000;
    private readonly InMemoryBudgetStore _local = new();
    private readonly RedisBudgetStore? _shared = redis is null ? null : new RedisBudgetStore(redis.Connection, "{" + redis.Prefix + "-budget}:");
    private readonly ConcurrentDictionary<string, decimal> _seeds = new(StringComparer.Ordinal);
    private readonly SharedLookups _lookups = new();
    private readonly ConcurrentDictionary<string, (BudgetCounter Counter, decimal Reserved, decimal Actual)> _unsynced = new(StringComparer.Ordinal);

    /// <summary>Reserves <paramref name="amount"/> on every scope's counter, or says which scope refused.</summary>
    public async ValueTask<(Reservation? Reservation, BudgetRefused? Refused)> ReserveAsync(IReadOnlyList<BudgetScope> scopes, decimal amount, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var counters = new BudgetCounter[scopes.Count];
        for (var i = 0; i < scopes.Count; i++)
        {
            counters[i] = await CounterAsync(scopes[i], now, cancellationToken).ConfigureAwait(false);
        }

        var shared = false;
        BudgetRefusal? refusal = null;
        if (_shared is not null && redis!.Available)
        {
            try
            {
                refusal = await _shared.TryReserveAsync(counters, amount, now, cancellationToken).ConfigureAwait(false);
                shared = true;
                redis.Succeeded();
                await SyncAsync(now).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "reserving budget");
            }
        }

        if (!shared)
        {
            refusal = await _local.TryReserveAsync(counters, amount, now, cancellationToken).ConfigureAwait(false);
        }

        return refusal is null
            ? (new Reservation(counters, amount, shared), null)
            : (null, new BudgetRefused(scopes[refusal.Index], refusal.Spend, refusal.Reserved));
    }

    /// <summary>Gets the least any of the scopes has left: its limit less its spend and the reservations of calls in flight.</summary>
    public async ValueTask<decimal> RemainingAsync(IReadOnlyList<BudgetScope> scopes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var remaining = decimal.MaxValue;
        foreach (var scope in scopes)
        {
            var counter = await CounterAsync(scope, now, cancellationToken).ConfigureAwait(false);
            (decimal Spend, decimal Reserved)? held = null;
            if (_shared is not null && redis!.Available)
            {
                try
                {
                    held = await _shared.GetAsync(counter, now, cancellationToken).ConfigureAwait(false);
                    redis.Succeeded();
                }
                catch (Exception e) when (RedisLink.IsOutage(e))
                {
                    redis.Failed(e, "reading budget");
                }
            }

            var (spend, reserved) = held ?? await _local.GetAsync(counter, now, cancellationToken).ConfigureAwait(false);
            // A counter no request has touched yet holds nothing: its spend is the database's figure it would start from.
            remaining = Math.Min(remaining, counter.Limit - Math.Max(spend, counter.InitialSpend) - reserved);
        }

        return Math.Max(0, remaining);
    }

    /// <summary>Releases the reservation and adds the actual cost; never throws (a failure is logged and retried later).</summary>
    public async ValueTask SettleAsync(Reservation reservation, decimal actual)
    {
        var now = time.GetUtcNow();
        if (!reservation.Shared)
        {
            await _local.SettleAsync(reservation.Counters, reservation.Amount, actual, now, CancellationToken.None).ConfigureAwait(false);
            if (_shared is not null && actual != 0)
            {
                Defer(reservation.Counters, 0, actual); // the shared counters learn this spend when Redis returns
            }

            return;
        }

        try
        {
            await _shared!.SettleAsync(reservation.Counters, reservation.Amount, actual, now, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            redis!.Failed(e, "settling budget");
            Defer(reservation.Counters, reservation.Amount, actual);
        }
    }

    private async ValueTask<BudgetCounter> CounterAsync(BudgetScope scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = WindowOf(scope.Duration);
        if (window.IsNone)
        {
            return new BudgetCounter($"{scope.Kind}:{scope.Id}:all", scope.MaxBudget, null, scope.LifetimeSpend) { AdmitWhileBelowLimit = true };
        }

        var (start, end) = window.At(now);
        var key = $"{scope.Kind}:{scope.Id}:{scope.Duration}:{start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        if (!_seeds.TryGetValue(key, out var seed))
        {
            try
            {
                seed = await _lookups.RunAsync(key, () => spendStore.GetSpendAsync(scope.Kind, scope.Id, start, CancellationToken.None), cancellationToken).ConfigureAwait(false);
                if (_seeds.Count >= MaxSeeds)
                {
                    _seeds.Clear();
                }

                _seeds[key] = seed;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSeedFailed(logger, scope.Kind, e.GetType().Name);
                seed = 0; // not cached: the next request asks the database again
            }
        }

        return new BudgetCounter(key, scope.MaxBudget, end, seed) { AdmitWhileBelowLimit = true };
    }

    private static BudgetWindow WindowOf(string? duration)
    {
        try
        {
            return BudgetWindow.Parse(duration);
        }
        catch (ArgumentException)
        {
            return default; // refused when stored; an old row with a bad value is a lifetime budget
        }
    }

    private void Defer(BudgetCounter[] counters, decimal reserved, decimal actual)
    {
        foreach (var counter in counters)
        {
            _unsynced.AddOrUpdate(counter.Key, static (_, a) => a, static (_, old, a) => (a.Counter, old.Reserved + a.Reserved, old.Actual + a.Actual), (Counter: counter, Reserved: reserved, Actual: actual));
        }
    }

    private async ValueTask SyncAsync(DateTimeOffset now)
    {
        if (_unsynced.IsEmpty)
        {
            return;
        }

        foreach (var key in _unsynced.Keys)
        {
            if (_unsynced.TryRemove(key, out var pending))
            {
                try
                {
                    await _shared!.SettleAsync([pending.Counter], pending.Reserved, pending.Actual, now, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (RedisLink.IsOutage(e))
                {
                    Defer([pending.Counter], pending.Reserved, pending.Actual);
                    redis!.Failed(e, "syncing budget");
                    return;
                }
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Reading the {Scope}'s spend for its budget window failed ({Error}); the window's counter starts from 0 until the database answers.")]
    private static partial void LogSeedFailed(ILogger logger, SpendScope scope, string error);
}

/// <summary>One budget a request is held to: a key's, its team's or its user's.</summary>
internal readonly record struct BudgetScope(SpendScope Kind, string Id, decimal MaxBudget, string? Duration, decimal LifetimeSpend);

/// <summary>A budget that refused a request, and what its counter held: settled spend and reservations of requests in flight.</summary>
internal sealed record BudgetRefused(BudgetScope Scope, decimal Spend, decimal Reserved);

/// <summary>A reservation held while a call runs, settled with its actual cost when it ends.</summary>
internal sealed record Reservation(BudgetCounter[] Counters, decimal Amount, bool Shared);
