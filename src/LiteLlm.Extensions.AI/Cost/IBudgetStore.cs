namespace LiteLlm.Cost;

/// <summary>
/// Where budget counters live. Each counter holds the USD spent and the USD reserved by requests in flight for one
/// budget, scope id and window. <see cref="TryReserveAsync"/> must be atomic across all the counters it is given.
/// </summary>
public interface IBudgetStore
{
    /// <summary>
    /// Atomically checks every counter and, only if all admit the request, adds <paramref name="amount"/> to each one's
    /// reservation. A counter refuses when <c>spend + reserved ≥ limit</c>, or (unless it is
    /// <see cref="BudgetCounter.AdmitWhileBelowLimit"/>) when <c>spend + reserved + amount &gt; limit</c>.
    /// </summary>
    /// <param name="counters">The counters to reserve against.</param>
    /// <param name="amount">The USD to reserve.</param>
    /// <param name="now">The current time (for expiring windows), from the caller's <see cref="TimeProvider"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="null"/> when reserved; otherwise the first refusing counter's index and state.</returns>
    ValueTask<BudgetRefusal?> TryReserveAsync(IReadOnlyList<BudgetCounter> counters, decimal amount, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Releases <paramref name="reserved"/> from each counter and adds <paramref name="actual"/> to its spend. Counters whose window has expired are left alone.</summary>
    ValueTask SettleAsync(IReadOnlyList<BudgetCounter> counters, decimal reserved, decimal actual, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Gets a counter's spend and reservation (both 0 for a counter never used).</summary>
    ValueTask<(decimal Spend, decimal Reserved)> GetAsync(BudgetCounter counter, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One budget counter: its storage key, its limit, and when its window ends.</summary>
/// <param name="Key">The storage key (unique per budget, scope id and window).</param>
/// <param name="Limit">The limit in USD.</param>
/// <param name="ExpiresAt">The end of the window, or <see langword="null"/> for a counter that never resets.</param>
/// <param name="InitialSpend">
/// The spend a counter starts from when it does not exist yet (for example the spend a database already holds for the
/// scope); ignored once the counter exists.
/// </param>
public readonly record struct BudgetCounter(string Key, decimal Limit, DateTimeOffset? ExpiresAt, decimal InitialSpend = 0)
{
    /// <summary>
    /// Gets a value indicating whether the counter admits a request while <c>spend + reserved</c> is below the limit,
    /// whatever the request's reservation (LiteLLM's proxy semantics: a small remaining budget admits one more request,
    /// so the overshoot is at most one request's cost). When <see langword="false"/> (the default) a request is also
    /// refused when its reservation does not fit in what remains.
    /// </summary>
    public bool AdmitWhileBelowLimit { get; init; }
}

/// <summary>Why a reservation was refused.</summary>
/// <param name="Index">The index of the refusing counter in the list given.</param>
/// <param name="Spend">Its spend.</param>
/// <param name="Reserved">Its reservations in flight.</param>
public sealed record BudgetRefusal(int Index, decimal Spend, decimal Reserved);
