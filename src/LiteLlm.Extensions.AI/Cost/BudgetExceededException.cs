using System.Globalization;
using LiteLlm.Errors;

namespace LiteLlm.Cost;

/// <summary>
/// A budget would be exceeded by this request: its spend plus the requests in flight plus this request's estimate is
/// over the limit, or the budget is already spent. Reported as HTTP 400, as LiteLLM's proxy reports
/// <c>BudgetExceededError</c> (<c>budget_exceeded</c>); retrying before <see cref="ResetsAt"/> will not help.
/// </summary>
/// <remarks>It lives with the budgets it reports (the error hierarchy's base sits below every feature and names none).</remarks>
public sealed class BudgetExceededException : LiteLlmException
{
    /// <summary>Initializes a new instance of the <see cref="BudgetExceededException"/> class.</summary>
    /// <param name="budget">The budget that would be exceeded.</param>
    /// <param name="scopeId">The id the budget was counted for (key, user, team, …), if it is scoped.</param>
    /// <param name="currentSpend">The spend counted in the current period, in USD.</param>
    /// <param name="reserved">The estimated cost of the requests in flight, in USD.</param>
    /// <param name="estimate">This request's estimated cost, in USD.</param>
    /// <param name="resetsAt">When the budget's period ends, if it resets.</param>
    public BudgetExceededException(Budget budget, string? scopeId, decimal currentSpend, decimal reserved, decimal estimate, DateTimeOffset? resetsAt)
        : base(Describe(budget, scopeId, currentSpend, reserved, estimate, resetsAt), new ProviderErrorDetails(null, null, 400, null, "budget_exceeded"), null)
    {
        ArgumentNullException.ThrowIfNull(budget);
        Budget = budget;
        ScopeId = scopeId;
        CurrentSpend = currentSpend;
        Reserved = reserved;
        Estimate = estimate;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the budget that refused the request.</summary>
    public Budget Budget { get; }

    /// <summary>Gets the budget's name.</summary>
    public string BudgetName => Budget.Name;

    /// <summary>Gets the kind of scope the budget covers.</summary>
    public BudgetScope Scope => Budget.Scope;

    /// <summary>Gets the user, team, key or model the budget was counted for (<see langword="null"/> for <see cref="BudgetScope.Global"/>).</summary>
    public string? ScopeId { get; }

    /// <summary>Gets the limit in USD (LiteLLM's <c>max_budget</c>).</summary>
    public decimal MaxBudget => Budget.MaxBudget;

    /// <summary>Gets the USD spent in the current window (LiteLLM's <c>current_cost</c>).</summary>
    public decimal CurrentSpend { get; }

    /// <summary>Gets the USD reserved by requests in flight.</summary>
    public decimal Reserved { get; }

    /// <summary>Gets the estimated USD cost of the refused request.</summary>
    public decimal Estimate { get; }

    /// <summary>Gets when the budget's window resets, or <see langword="null"/> when it never does.</summary>
    public DateTimeOffset? ResetsAt { get; }

    /// <inheritdoc/>
    public override LiteLlmErrorKind Kind => LiteLlmErrorKind.BudgetExceeded;

    /// <inheritdoc/>
    public override int HttpStatus => 400;

    private static string Describe(Budget budget, string? scopeId, decimal spend, decimal reserved, decimal estimate, DateTimeOffset? resetsAt)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var scope = budget.Scope == BudgetScope.Global ? "global" : $"{budget.Scope} '{scopeId}'";
        var reset = resetsAt is { } r ? " It resets at " + r.ToString("u", CultureInfo.InvariantCulture) + "." : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"Budget exceeded: budget '{budget.Name}' ({scope}) has spent ${spend:0.######} of its ${budget.MaxBudget:0.######} limit"
            + $" (${reserved:0.######} reserved by requests in flight; this request is estimated at ${estimate:0.######}).{reset}");
    }
}
