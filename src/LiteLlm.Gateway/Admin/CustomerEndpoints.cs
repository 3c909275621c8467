using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's customer (end user) endpoints: /customer/new, /info, /update, /delete, /list, /block, /unblock, each also
/// under LiteLLM's older /end_user/ prefix. A customer is whoever a request's <c>user</c> field names.
/// </summary>
internal static class CustomerEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var prefix in new[] { "/customer", "/end_user" })
        {
            endpoints.MapPost(prefix + "/new", AdminEndpoints.Guarded(NewAsync));
            endpoints.MapGet(prefix + "/info", AdminEndpoints.Guarded(InfoAsync));
            endpoints.MapPost(prefix + "/update", AdminEndpoints.Guarded(UpdateAsync));
            endpoints.MapPost(prefix + "/delete", AdminEndpoints.Guarded(DeleteAsync));
            endpoints.MapGet(prefix + "/list", AdminEndpoints.Guarded(ListAsync));
            endpoints.MapPost(prefix + "/block", AdminEndpoints.Guarded(context => BlockAsync(context, true)));
            endpoints.MapPost(prefix + "/unblock", AdminEndpoints.Guarded(context => BlockAsync(context, false)));
        }
    }

    private static async Task NewAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var now = Time(context).GetUtcNow();
        var userId = input.String("user_id") ?? throw GatewayErrors.Invalid("'user_id' is required.", "user_id", "missing_field");
        var customer = await ApplyAsync(context, new CustomerRecord { UserId = userId, CreatedAt = now, UpdatedAt = now }, input);
        input.RefuseUnknown();
        if (!await Store(context).InsertCustomerAsync(customer, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"Customer already exists, passed user_id={userId}. Please pass a new user_id.", "user_id", "customer_exists");
        }

        await AdminQuery.WriteAsync(context, await RowAsync(context, customer));
    }

    private static async Task InfoAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var id = AdminQuery.Str(context, "end_user_id") ?? throw GatewayErrors.Invalid("'end_user_id' is required.", "end_user_id", "missing_field");
        var customer = await Store(context).GetCustomerAsync(id, context.RequestAborted) ?? throw NotFound(id, "end_user_id");
        await AdminQuery.WriteAsync(context, await RowAsync(context, customer));
    }

    private static async Task UpdateAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var id = input.String("user_id") ?? throw GatewayErrors.Invalid("'user_id' is required.", "user_id", "missing_field");
        var existing = await Store(context).GetCustomerAsync(id, context.RequestAborted) ?? throw NotFound(id, "user_id");
        var customer = await ApplyAsync(context, existing, input) with { UpdatedAt = Time(context).GetUtcNow() };
        input.RefuseUnknown();
        await Store(context).UpdateCustomerAsync(customer, context.RequestAborted);
        Gate(context).InvalidateScope(SpendScope.Customer, id);
        await AdminQuery.WriteAsync(context, await RowAsync(context, customer));
    }

    /// <summary>Deletes customers; all must exist (404 naming the missing ones otherwise), as LiteLLM does.</summary>
    private static async Task DeleteAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("user_ids") is { Length: > 0 } given ? given : throw GatewayErrors.Invalid("'user_ids' is required.", "user_ids", "missing_field");
        input.RefuseUnknown();
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (await Store(context).GetCustomerAsync(id, context.RequestAborted) is null)
            {
                missing.Add(id);
            }
        }

        if (missing.Count > 0)
        {
            throw new GatewayRequestException(new GatewayError(404, $"End User Id(s)={string.Join(", ", missing)} do not exist in db", "not_found", "customer_not_found", "user_ids"));
        }

        var deleted = await Store(context).DeleteCustomersAsync(ids, context.RequestAborted);
        foreach (var id in deleted)
        {
            Gate(context).InvalidateScope(SpendScope.Customer, id);
        }

        await AdminQuery.WriteAsync(context, new JsonObject
        {
            ["deleted_customers"] = deleted.Count,
            ["message"] = "Successfully deleted customers with ids: " + string.Join(", ", deleted),
        });
    }

    /// <summary>Every customer (at most 1,000), a JSON array as LiteLLM answers; admins and viewers only.</summary>
    private static async Task ListAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var rows = new JsonArray();
        foreach (var customer in await Store(context).ListCustomersAsync(1000, context.RequestAborted))
        {
            rows.Add(await RowAsync(context, customer));
        }

        await AdminQuery.WriteAsync(context, rows);
    }

    /// <summary>Blocks (or unblocks) customers by <c>user_ids</c>, creating those not seen yet; answers <c>{blocked_users: [...]}</c>.</summary>
    private static async Task BlockAsync(HttpContext context, bool blocked)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var input = await AdminInput.ReadAsync(context);
        var ids = input.Strings("user_ids") is { Length: > 0 } given ? given : throw GatewayErrors.Invalid("'user_ids' is required.", "user_ids", "missing_field");
        input.RefuseUnknown();
        await Store(context).SetCustomersBlockedAsync(ids, blocked, Time(context).GetUtcNow(), context.RequestAborted);
        var rows = new JsonArray();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            Gate(context).InvalidateScope(SpendScope.Customer, id);
            if (await Store(context).GetCustomerAsync(id, context.RequestAborted) is { } customer)
            {
                rows.Add(await RowAsync(context, customer));
            }
        }

        await AdminQuery.WriteAsync(context, new JsonObject { ["blocked_users"] = rows });
    }

    private static async Task<CustomerRecord> ApplyAsync(HttpContext context, CustomerRecord customer, AdminInput input)
    {
        var region = input.String("allowed_model_region");
        if (region is not null and not ("eu" or "us"))
        {
            throw GatewayErrors.Invalid($"'allowed_model_region' must be 'eu' or 'us'; got '{region}'.", "allowed_model_region", "invalid_field");
        }

        var defaultModel = input.String("default_model");
        if (defaultModel is not null && !context.RequestServices.GetRequiredService<LiteLlm.Configuration.LiteLlmRuntime>().Router.HasModelGroup(defaultModel))
        {
            throw GatewayErrors.Invalid($"Default Model not on proxy: 'default_model' {defaultModel} is not a model group of this gateway.", "default_model", "invalid_field");
        }

        var budgetId = input.String("budget_id");
        var maxBudget = input.Money("max_budget");
        if (budgetId is not null && maxBudget is not null)
        {
            throw GatewayErrors.Invalid("Give either 'max_budget' or 'budget_id', not both.", "budget_id", "invalid_field");
        }

        if (budgetId is not null)
        {
            _ = await BudgetEndpoints.FindAsync(context, budgetId, "budget_id");
        }

        return customer with
        {
            Alias = input.String("alias") ?? customer.Alias,
            Blocked = input.Bool("blocked") ?? customer.Blocked,
            MaxBudget = maxBudget ?? (budgetId is null ? customer.MaxBudget : null),
            BudgetDuration = AdminEndpoints.BudgetDuration(input) ?? customer.BudgetDuration,
            SoftBudget = input.Money("soft_budget") ?? customer.SoftBudget,
            BudgetId = budgetId ?? (maxBudget is null ? customer.BudgetId : null),
            AllowedModelRegion = region ?? customer.AllowedModelRegion,
            DefaultModel = defaultModel ?? customer.DefaultModel,
            Metadata = input.Object("metadata")?.ToJsonString() ?? customer.Metadata,
        };
    }

    /// <summary>LiteLLM's <c>LiteLLM_EndUserTable</c>: the customer and its budget row (its own limits, or the shared budget it names).</summary>
    private static async Task<JsonObject> RowAsync(HttpContext context, CustomerRecord c)
    {
        JsonObject? budget = null;
        if (c.BudgetId is { } budgetId && await BudgetEndpoints.TryGetAsync(context, budgetId) is { } shared)
        {
            budget = BudgetEndpoints.Row(shared);
        }
        else if (c.MaxBudget is not null || c.BudgetDuration is not null || c.SoftBudget is not null)
        {
            budget = new JsonObject
            {
                ["budget_id"] = null,
                ["max_budget"] = c.MaxBudget,
                ["soft_budget"] = c.SoftBudget,
                ["max_parallel_requests"] = null,
                ["tpm_limit"] = null,
                ["rpm_limit"] = null,
                ["model_max_budget"] = null,
                ["budget_duration"] = c.BudgetDuration,
                ["budget_reset_at"] = null,
            };
        }

        return new JsonObject
        {
            ["user_id"] = c.UserId,
            ["alias"] = c.Alias,
            ["blocked"] = c.Blocked,
            ["spend"] = c.Spend,
            ["budget_id"] = c.BudgetId,
            ["allowed_model_region"] = c.AllowedModelRegion,
            ["default_model"] = c.DefaultModel,
            ["metadata"] = c.Metadata is null ? new JsonObject() : JsonNode.Parse(c.Metadata),
            ["litellm_budget_table"] = budget,
            ["object_permission"] = null,
            ["created_at"] = AdminShapes.Time(c.CreatedAt),
            ["updated_at"] = AdminShapes.Time(c.UpdatedAt),
        };
    }

    private static GatewayRequestException NotFound(string id, string param)
        => new(new GatewayError(404, $"End User Id={id} does not exist in db", "not_found", "customer_not_found", param));

    private static ICustomerStore Store(HttpContext context) => context.RequestServices.GetRequiredService<ICustomerStore>();

    private static KeyGate Gate(HttpContext context) => context.RequestServices.GetRequiredService<KeyGate>();

    private static TimeProvider Time(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>();
}
