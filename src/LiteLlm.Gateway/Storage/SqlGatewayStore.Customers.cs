using System.Data.Common;
using LiteLlm.Gateway.Auth;

namespace LiteLlm.Gateway.Storage;

/// <summary>Customers (LiteLLM's end users): the request's <c>user</c>, with its block flag and budget.</summary>
public sealed partial class SqlGatewayStore : ICustomerStore
{
    private const string CustomerColumns = "user_id, alias, blocked, max_budget, budget_duration, budget_id, allowed_model_region, default_model, metadata, spend, created_at, updated_at, soft_budget";

    async Task<bool> ICustomerStore.InsertCustomerAsync(CustomerRecord customer, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            $"INSERT INTO litellm_end_users ({CustomerColumns}) VALUES (@user_id, @alias, @blocked, @max_budget, @budget_duration, @budget_id, @allowed_model_region, @default_model, @metadata, 0, @created_at, @updated_at, @soft_budget) ON CONFLICT (user_id) DO NOTHING;",
            cancellationToken, CustomerParameters(customer)).ConfigureAwait(false) > 0;
    }

    async Task<CustomerRecord?> ICustomerStore.GetCustomerAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {CustomerColumns} FROM litellm_end_users WHERE user_id = @id;", ReadCustomer, cancellationToken, ("id", userId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    async Task<bool> ICustomerStore.UpdateCustomerAsync(CustomerRecord customer, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null,
            "UPDATE litellm_end_users SET alias = @alias, blocked = @blocked, max_budget = @max_budget, budget_duration = @budget_duration, budget_id = @budget_id, allowed_model_region = @allowed_model_region, default_model = @default_model, metadata = @metadata, updated_at = @updated_at, soft_budget = @soft_budget WHERE user_id = @user_id;",
            cancellationToken, CustomerParameters(customer)).ConfigureAwait(false) > 0;
    }

    async Task<IReadOnlyList<string>> ICustomerStore.DeleteCustomersAsync(IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in userIds.Distinct(StringComparer.Ordinal))
        {
            if (await ExecuteAsync(connection, null, "DELETE FROM litellm_end_users WHERE user_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false) > 0)
            {
                deleted.Add(id);
            }
        }

        return deleted;
    }

    async Task<IReadOnlyList<CustomerRecord>> ICustomerStore.ListCustomersAsync(int limit, CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {CustomerColumns} FROM litellm_end_users ORDER BY created_at, user_id LIMIT {Math.Clamp(limit, 1, 1000)};", ReadCustomer, cancellationToken).ConfigureAwait(false);

    async Task ICustomerStore.SetCustomersBlockedAsync(IReadOnlyList<string> userIds, bool blocked, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in userIds.Distinct(StringComparer.Ordinal))
        {
            await ExecuteAsync(connection, null,
                "INSERT INTO litellm_end_users (user_id, blocked, spend, created_at, updated_at) VALUES (@id, @blocked, 0, @now, @now) ON CONFLICT (user_id) DO UPDATE SET blocked = excluded.blocked, updated_at = excluded.updated_at;",
                cancellationToken, ("id", id), ("blocked", blocked ? 1L : 0L), ("now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }
    }

    private static (string, object?)[] CustomerParameters(CustomerRecord c) =>
    [
        ("user_id", c.UserId), ("alias", c.Alias), ("blocked", c.Blocked ? 1L : 0L), ("max_budget", Money(c.MaxBudget)), ("budget_duration", c.BudgetDuration),
        ("budget_id", c.BudgetId), ("allowed_model_region", c.AllowedModelRegion), ("default_model", c.DefaultModel), ("metadata", c.Metadata),
        ("created_at", c.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", c.UpdatedAt.ToUnixTimeMilliseconds()),
        ("soft_budget", Money(c.SoftBudget)),
    ];

    private static CustomerRecord ReadCustomer(DbDataReader r) => new()
    {
        UserId = r.GetString(0),
        Alias = Str(r, 1),
        Blocked = Long(r, 2) is 1,
        MaxBudget = NullableMoney(r, 3),
        BudgetDuration = Str(r, 4),
        BudgetId = Str(r, 5),
        AllowedModelRegion = Str(r, 6),
        DefaultModel = Str(r, 7),
        Metadata = Str(r, 8),
        Spend = NullableMoney(r, 9) ?? 0m,
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 10) ?? 0),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 11) ?? 0),
        SoftBudget = NullableMoney(r, 12),
    };
}
