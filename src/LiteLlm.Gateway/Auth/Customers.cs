namespace LiteLlm.Gateway.Auth;

/// <summary>
/// A customer (LiteLLM's end user, <c>LiteLLM_EndUserTable</c>): whoever a request's <c>user</c> field names. It can be
/// blocked, and held to its own budget (<c>max_budget</c>, <c>budget_duration</c>) or a shared one (<c>budget_id</c>).
/// </summary>
internal sealed record CustomerRecord
{
    public required string UserId { get; init; }

    public string? Alias { get; init; }

    public bool Blocked { get; init; }

    public decimal? MaxBudget { get; init; }

    public string? BudgetDuration { get; init; }

    /// <summary>Gets the spend at which an alert fires (once per budget window) without refusing anything.</summary>
    public decimal? SoftBudget { get; init; }

    /// <summary>Gets the shared budget (<c>/budget/new</c>) the customer is held to when it has no <see cref="MaxBudget"/> of its own.</summary>
    public string? BudgetId { get; init; }

    /// <summary>Gets LiteLLM's <c>allowed_model_region</c> (<c>eu</c> or <c>us</c>), stored and shown.</summary>
    public string? AllowedModelRegion { get; init; }

    /// <summary>Gets LiteLLM's <c>default_model</c>, stored and shown.</summary>
    public string? DefaultModel { get; init; }

    public string? Metadata { get; init; }

    public decimal Spend { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Storage of customers (the SQL store implements it beside <see cref="IKeyStore"/>).</summary>
internal interface ICustomerStore
{
    Task<bool> InsertCustomerAsync(CustomerRecord customer, CancellationToken cancellationToken);

    Task<CustomerRecord?> GetCustomerAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Replaces the customer's mutable fields (not its spend); false when it does not exist.</summary>
    Task<bool> UpdateCustomerAsync(CustomerRecord customer, CancellationToken cancellationToken);

    /// <summary>Deletes customers; returns the ids that existed.</summary>
    Task<IReadOnlyList<string>> DeleteCustomersAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken);

    /// <summary>Lists customers (at most <paramref name="limit"/>), oldest first.</summary>
    Task<IReadOnlyList<CustomerRecord>> ListCustomersAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Blocks or unblocks customers, creating the ones that do not exist yet (as LiteLLM's <c>/customer/block</c> does).</summary>
    Task SetCustomersBlockedAsync(IReadOnlyList<string> userIds, bool blocked, DateTimeOffset now, CancellationToken cancellationToken);
}
