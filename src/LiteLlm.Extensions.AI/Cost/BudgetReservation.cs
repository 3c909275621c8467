namespace LiteLlm.Cost;

/// <summary>
/// An amount held against a request's budgets while it runs. Settle it with the actual cost, or release it when the
/// call failed; only the first of those counts. Disposing an unsettled reservation releases it.
/// </summary>
public sealed class BudgetReservation : IAsyncDisposable
{
    private readonly BudgetManager _manager;
    private readonly BudgetCounter[] _counters;
    private int _settled;

    internal BudgetReservation(BudgetManager manager, BudgetCounter[] counters, decimal amount)
    {
        _manager = manager;
        _counters = counters;
        Amount = amount;
    }

    /// <summary>Gets the USD reserved (the request's estimate).</summary>
    public decimal Amount { get; }

    /// <summary>Gets the counters held (one per applicable budget).</summary>
    public IReadOnlyList<BudgetCounter> Counters => _counters;

    /// <summary>Releases the reservation and charges <paramref name="actualCost"/> USD to every budget it was held against.</summary>
    public ValueTask SettleAsync(decimal actualCost)
        => Interlocked.Exchange(ref _settled, 1) == 0 ? _manager.SettleAsync(_counters, Amount, Math.Max(0, actualCost)) : ValueTask.CompletedTask;

    /// <summary>Releases the reservation without charging anything (the call failed before it cost anything).</summary>
    public ValueTask ReleaseAsync() => SettleAsync(0m);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ReleaseAsync();
}
