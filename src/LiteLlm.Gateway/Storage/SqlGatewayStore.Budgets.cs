using System.Data.Common;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Storage;

/// <summary>Shared budgets (<c>/budget/*</c>) that keys and customers name by <c>budget_id</c>.</summary>
public sealed partial class SqlGatewayStore : ISharedBudgetStore
{
    private const string BudgetColumns = "budget_id, max_budget, soft_budget, budget_duration, rpm_limit, tpm_limit, created_at, updated_at";

    async Task<bool> ISharedBudgetStore.InsertBudgetAsync(BudgetRecord budget, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_budgets ({BudgetColumns}) VALUES (@budget_id, @max_budget, @soft_budget, @budget_duration, @rpm_limit, @tpm_limit, @created_at, @updated_at) ON CONFLICT (budget_id) DO NOTHING;",
            cancellationToken, BudgetParameters(budget)).ConfigureAwait(false) > 0;
    }

    async Task<BudgetRecord?> ISharedBudgetStore.GetBudgetAsync(string budgetId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {BudgetColumns} FROM litellm_budgets WHERE budget_id = @id;", ReadBudget, cancellationToken, ("id", budgetId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    async Task<bool> ISharedBudgetStore.UpdateBudgetAsync(BudgetRecord budget, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_budgets SET max_budget = @max_budget, soft_budget = @soft_budget, budget_duration = @budget_duration, rpm_limit = @rpm_limit, tpm_limit = @tpm_limit, updated_at = @updated_at WHERE budget_id = @budget_id;",
            cancellationToken, BudgetParameters(budget)).ConfigureAwait(false) > 0;
    }

    async Task<bool> ISharedBudgetStore.DeleteBudgetAsync(string budgetId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, "DELETE FROM litellm_budgets WHERE budget_id = @id;", cancellationToken, ("id", budgetId)).ConfigureAwait(false) > 0;
    }

    async Task<IReadOnlyList<BudgetRecord>> ISharedBudgetStore.ListBudgetsAsync(int limit, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {BudgetColumns} FROM litellm_budgets ORDER BY created_at, budget_id LIMIT {Math.Clamp(limit, 1, 1000)};", ReadBudget, cancellationToken).ConfigureAwait(false);

    /// <summary>Claims the soft budget alert of one scope's window; false when it was claimed already (by this or another replica).</summary>
    internal async Task<bool> TryClaimAlertAsync(string scope, string id, DateTimeOffset windowStart, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "INSERT INTO litellm_budget_alerts (scope, id, window_start, sent_at) VALUES (@scope, @id, @start, @now) ON CONFLICT (scope, id, window_start) DO NOTHING;",
            cancellationToken, ("scope", scope), ("id", id), ("start", windowStart.ToUnixTimeMilliseconds()), ("now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) > 0;
    }

    private static (string, object?)[] BudgetParameters(BudgetRecord b) =>
    [
        ("budget_id", b.BudgetId), ("max_budget", Money(b.MaxBudget)), ("soft_budget", Money(b.SoftBudget)), ("budget_duration", b.BudgetDuration),
        ("rpm_limit", b.RpmLimit), ("tpm_limit", b.TpmLimit), ("created_at", b.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", b.UpdatedAt.ToUnixTimeMilliseconds()),
    ];

    private static BudgetRecord ReadBudget(DbDataReader r) => new()
    {
        BudgetId = r.GetString(0),
        MaxBudget = NullableMoney(r, 1),
        SoftBudget = NullableMoney(r, 2),
        BudgetDuration = Str(r, 3),
        RpmLimit = Long(r, 4),
        TpmLimit = Long(r, 5),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 6) ?? 0),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 7) ?? 0),
    };
}
