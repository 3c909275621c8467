using LiteLlm.Cost;
using LiteLlm.Models;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="BudgetChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Enforces <paramref name="manager"/>'s budgets. In the house pipeline it sits above the cache (a cached answer is
    /// charged what the cost layer below says it cost: nothing) and below logging and callbacks.
    /// </summary>
    public static ChatClientBuilder UseBudgets(this ChatClientBuilder builder, BudgetManager manager)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(manager);
        return builder.Use(inner => new BudgetChatClient(inner, manager));
    }

    /// <summary>
    /// Enforces <paramref name="budgets"/> with counters in <paramref name="store"/> (default: in process memory; use
    /// <see cref="RedisBudgetStore"/> to share them across instances).
    /// </summary>
    public static ChatClientBuilder UseBudgets(
        this ChatClientBuilder builder, IEnumerable<Budget> budgets, IBudgetStore? store = null, TimeProvider? timeProvider = null, ModelCatalog? catalog = null)
        => builder.UseBudgets(new BudgetManager(budgets, store, timeProvider, catalog));
}
