using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's shared budgets: /budget/new, /budget/update, /budget/delete, /budget/info, /budget/list. Keys and customers
/// name one by <c>budget_id</c>; its limits apply to each of them where they set none of their own.
/// </summary>
internal static class BudgetEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/budget/new", AdminEndpoints.Guarded(NewAsync));
        endpoints.MapPost("/budget/update", AdminEndpoints.Guarded(UpdateAsync));
        endpoints.MapPost("/budget/delete", AdminEndpoints.Guarded(DeleteAsync));
        endpoints.MapPost("/budget/info", AdminEndpoints.Guarded(InfoAsync));
        endpoints.MapGet("/budget/list", AdminEndpoints.Guarded(ListAsync));
    }

    /// <summary>Gets a budget by id, or a 400 naming <paramref name="param"/> when there is none.</summary>
    public static async Task<BudgetRecord> FindAsync(HttpContext context, string budgetId, string param)
        => await TryGetAsync(context, budgetId)
            ?? throw GatewayErrors.Invalid($"Budget '{budgetId}' not found; create it with /budget/new.", param, "budget_not_found");

    public static Task<BudgetRecord?> TryGetAsync(HttpContext context, string budgetId)
        => Store(context).GetBudgetAsync(budgetId, context.RequestAborted);

    /// <summary>Refuses a key's <c>budget_id</c> that names no budget.</summary>
    public static async Task CheckKeyBudgetAsync(HttpContext context, string? budgetId)
    {
        if (budgetId is not null)
        {
            _ = await FindAsync(context, budgetId, "budget_id");
        }
    }

    /// <summary>LiteLLM's <c>LiteLLM_BudgetTable</c>.</summary>
    public static JsonObject Row(BudgetRecord b) => new()
    {
        ["budget_id"] = b.BudgetId,
        ["max_budget"] = b.MaxBudget,
        ["soft_budget"] = b.SoftBudget,
        ["max_parallel_requests"] = null,
        ["tpm_limit"] = b.TpmLimit,
        ["rpm_limit"] = b.RpmLimit,
        ["model_max_budget"] = null,
        ["budget_duration"] = b.BudgetDuration,
        ["budget_reset_at"] = null,
        ["created_at"] = AdminShapes.Time(b.CreatedAt),
        ["created_by"] = null,
        ["updated_at"] = AdminShapes.Time(b.UpdatedAt),
        ["updated_by"] = null,
    };

    private static async Task NewAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var now = Time(context).GetUtcNow();
        var budget = Apply(new BudgetRecord { BudgetId = input.String("budget_id") ?? Guid.NewGuid().ToString(), CreatedAt = now, UpdatedAt = now }, input);
        input.RefuseUnknown();
        if (!await Store(context).InsertBudgetAsync(budget, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"The budget '{budget.BudgetId}' already exists.", "budget_id", "budget_exists");
        }

        await AdminQuery.WriteAsync(context, Row(budget));
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var id = input.String("budget_id") ?? throw GatewayErrors.Invalid("'budget_id' is required.", "budget_id", "missing_field");
        var existing = await TryGetAsync(context, id) ?? throw NotFound(id);
        var budget = Apply(existing, input) with { UpdatedAt = Time(context).GetUtcNow() };
        input.RefuseUnknown();
        await Store(context).UpdateBudgetAsync(budget, context.RequestAborted);
        context.RequestServices.GetRequiredService<KeyGate>().InvalidateBudget(id);
        await AdminQuery.WriteAsync(context, Row(budget));
    }

    /// <summary>LiteLLM's <c>{"id": budget_id}</c>; answers the deleted budget.</summary>
    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var id = input.String("id") ?? throw GatewayErrors.Invalid("'id' is required.", "id", "missing_field");
        input.RefuseUnknown();
        var existing = await TryGetAsync(context, id) ?? throw NotFound(id);
        await Store(context).DeleteBudgetAsync(id, context.RequestAborted);
        context.RequestServices.GetRequiredService<KeyGate>().InvalidateBudget(id);
        await AdminQuery.WriteAsync(context, Row(existing));
    }

    /// <summary>LiteLLM's <c>{"budgets": [ids]}</c>; answers the budgets found, as a list.</summary>
    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("budgets") is { Length: > 0 } given ? given : throw GatewayErrors.Invalid("Specify the list of budget ids to query in 'budgets'.", "budgets", "missing_field");
        input.RefuseUnknown();
        var rows = new JsonArray();
        foreach (var id in ids.Distinct(StringComparer.Ordinal).Take(1000))
        {
            if (await TryGetAsync(context, id) is { } budget)
            {
                rows.Add(Row(budget));
            }
        }

        await AdminQuery.WriteAsync(context, rows);
    }

    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var budgets = await Store(context).ListBudgetsAsync(1000, context.RequestAborted);
        await AdminQuery.WriteAsync(context, new JsonArray([.. budgets.Select(b => (JsonNode?)Row(b))]));
    }

    private static BudgetRecord Apply(BudgetRecord budget, AdminInput input) => budget with
    {
        MaxBudget = input.Money("max_budget") ?? budget.MaxBudget,
        SoftBudget = input.Money("soft_budget") ?? budget.SoftBudget,
        BudgetDuration = AdminEndpoints.BudgetDuration(input) ?? budget.BudgetDuration,
        RpmLimit = input.Count("rpm_limit") ?? budget.RpmLimit,
        TpmLimit = input.Count("tpm_limit") ?? budget.TpmLimit,
    };

    private static GatewayRequestException NotFound(string id) => new(new GatewayError(404, $"Budget '{id}' not found.", "not_found", "budget_not_found", "budget_id"));

    private static ISharedBudgetStore Store(HttpContext context) => context.RequestServices.GetRequiredService<ISharedBudgetStore>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}
