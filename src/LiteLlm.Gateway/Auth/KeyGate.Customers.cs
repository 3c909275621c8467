using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Limits;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Auth;

/// <summary>The gate's customers (a request's <c>user</c>: blocked, or held to a budget) and shared budgets (<c>budget_id</c>).</summary>
internal sealed partial class KeyGate
{
    /// <summary>Checks the request's customer: a blocked one is refused (LiteLLM's 400), and its budget, when it has one, is a scope to reserve on.</summary>
    private async ValueTask<(GatewayError? Error, BudgetScope? Scope)> CustomerAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (caller.EndUserId is not { } endUser || customers is null)
        {
            return (null, null);
        }

        var (found, customer) = await CachedAsync<CustomerRecord>("customer:" + endUser, ct => customers.GetCustomerAsync(endUser, ct), cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            return (StoreDown, null);
        }

        if (customer is null)
        {
            return (null, null); // a customer never created has no block and no budget, as in LiteLLM
        }

        if (customer.Blocked)
        {
            return (new GatewayError(400, $"User blocked from making LLM API Calls. User={endUser}", "invalid_request_error", "user_blocked", "user"), null);
        }

        if (customer.MaxBudget is { } own)
        {
            return (null, new BudgetScope(SpendScope.Customer, endUser, own, customer.BudgetDuration, customer.Spend));
        }

        var (sharedFound, shared) = await SharedBudgetAsync(customer.BudgetId, cancellationToken).ConfigureAwait(false);
        return !sharedFound ? (StoreDown, null)
            : shared?.MaxBudget is { } limit ? (null, new BudgetScope(SpendScope.Customer, endUser, limit, shared.BudgetDuration, customer.Spend))
            : (null, null);
    }

    /// <summary>Loads the shared budget a key or customer names (through the cache); found is false only when the database does not answer.</summary>
    private async ValueTask<(bool Found, BudgetRecord? Budget)> SharedBudgetAsync(string? budgetId, CancellationToken cancellationToken)
        => budgetId is null || sharedBudgets is null
            ? (true, null)
            : await CachedAsync<BudgetRecord>("budget:" + budgetId, ct => sharedBudgets.GetBudgetAsync(budgetId, ct), cancellationToken).ConfigureAwait(false);

    /// <summary>Forgets a cached shared budget (after an update or delete).</summary>
    public void InvalidateBudget(string budgetId) => _cache.TryRemove("budget:" + budgetId, out _);


    /// <summary>Reserves on budgets alone (a master-key call for a customer with a budget).</summary>
    private async ValueTask<GateResult<IGateLease>> ReserveOnlyAsync(List<BudgetScope> scopes, string modelGroup, int estimatedTokens, CancellationToken cancellationToken)
    {
        var estimate = options.CostEstimator?.Invoke(modelGroup, estimatedTokens) ?? 0m;
        var (reservation, refused) = await budgets.ReserveAsync(scopes, estimate, cancellationToken).ConfigureAwait(false);
        return refused is not null ? Refuse(BudgetExceeded(refused, null)) : GateResult.Ok<IGateLease>(new Lease(this, reservation));
    }
}
