namespace LiteLlm.Gateway.Auth;

/// <summary>
/// A shared budget (LiteLLM's <c>LiteLLM_BudgetTable</c>, made with <c>/budget/new</c>): limits that keys and customers
/// name by <c>budget_id</c>. Each holder spends against the limits on its own (a budget is a template, as in LiteLLM).
/// </summary>
internal sealed record BudgetRecord
{
    public required string BudgetId { get; init; }

    public decimal? MaxBudget { get; init; }

    /// <summary>Gets the spend at which an alert fires (once per budget window) without refusing anything.</summary>
    public decimal? SoftBudget { get; init; }

    public string? BudgetDuration { get; init; }

    public long? RpmLimit { get; init; }

    public long? TpmLimit { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Storage of shared budgets (the SQL store implements it beside <see cref="IKeyStore"/>).</summary>
internal interface ISharedBudgetStore
{
    Task<bool> InsertBudgetAsync(BudgetRecord budget, CancellationToken cancellationToken);

    Task<BudgetRecord?> GetBudgetAsync(string budgetId, CancellationToken cancellationToken);

    Task<bool> UpdateBudgetAsync(BudgetRecord budget, CancellationToken cancellationToken);

    /// <summary>Deletes a budget; keys and customers naming it keep the id but are no longer held to it.</summary>
    Task<bool> DeleteBudgetAsync(string budgetId, CancellationToken cancellationToken);

    /// <summary>Lists budgets (at most <paramref name="limit"/>), oldest first.</summary>
    Task<IReadOnlyList<BudgetRecord>> ListBudgetsAsync(int limit, CancellationToken cancellationToken);
}
