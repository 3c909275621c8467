using System.Text.Json.Nodes;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's management API (docs/management-api.md): keys, users, teams and spend, with LiteLLM's shapes and roles.
/// Every route authenticates, resolves the caller's role and refuses with a 403 that names the role it needs.
/// </summary>
internal static class AdminEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        KeyEndpoints.Map(endpoints);
        UserEndpoints.Map(endpoints);
        TeamEndpoints.Map(endpoints);
        OrganizationEndpoints.Map(endpoints);
        CustomerEndpoints.Map(endpoints);
        BudgetEndpoints.Map(endpoints);
        SpendReportEndpoints.Map(endpoints);
        ModelEndpoints.Map(endpoints);
        endpoints.MapGet("/spend/logs", Guarded(SpendLogsAsync));
        endpoints.MapGet("/global/spend", Guarded(GlobalSpendAsync));
    }

    /// <summary>
    /// Runs a management handler so that a refusal is its OpenAI-shaped error, a field of the wrong type or a value out of
    /// range is the caller's 400 (never a 500), and a database that does not answer is a 503 that names no secret.
    /// </summary>
    public static RequestDelegate Guarded(Func<HttpContext, Task> handler) => async context =>
    {
        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (GatewayRequestException e) when (!context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, e.Error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or OverflowException && !context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(400, "A field has the wrong type or an out-of-range value: " + e.Message, "invalid_request_error", "invalid_field")).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException) when (!context.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(context, new GatewayError(503, "The key database is unreachable; try again shortly.", "service_unavailable", "database_unavailable")).ConfigureAwait(false);
        }
    };

    /// <summary>Reads and checks a <c>budget_duration</c> (<c>30s</c>, <c>1h</c>, <c>1d</c>, <c>30d</c>, <c>1mo</c>) before it is stored.</summary>
    public static string? BudgetDuration(AdminInput input)
    {
        var text = input.String("budget_duration");
        if (text is not null)
        {
            try
            {
                _ = Cost.BudgetWindow.Parse(text);
            }
            catch (ArgumentException e)
            {
                throw GatewayErrors.Invalid("'budget_duration': " + e.Message.Replace(" (Parameter 'duration')", string.Empty, StringComparison.Ordinal), "budget_duration", "invalid_field");
            }
        }

        return text;
    }

    /// <summary>Spend rows, newest first, paginated; callers without a viewer role see only their own (their user's, or their key's).</summary>
    private static async Task SpendLogsAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        var query = new SpendLogQuery
        {
            Page = AdminQuery.Int(context, "page", 1),
            PageSize = Math.Min(AdminQuery.Int(context, "page_size", 50), 500),
            KeyId = KeyEndpoints.HashOf(AdminQuery.Str(context, "api_key")),
            UserId = AdminQuery.Str(context, "user_id"),
            TeamId = AdminQuery.Str(context, "team_id"),
            RequestId = AdminQuery.Str(context, "request_id"),
            ModelGroup = AdminQuery.Str(context, "model"),
            Status = AdminQuery.Str(context, "status"),
            StartTime = AdminQuery.Date(context, "start_date"),
            EndTime = AdminQuery.Date(context, "end_date"),
        };
        if (!caller.ReadsAll)
        {
            query = caller.Role is not null && caller.UserId is not null ? query with { UserId = caller.UserId } : query with { KeyId = caller.KeyId };
        }

        var page = await context.RequestServices.GetRequiredService<ISpendStore>().QuerySpendLogsAsync(query, context.RequestAborted);
        var rows = new JsonArray();
        foreach (var r in page.Rows)
        {
            rows.Add(new JsonObject
            {
                ["request_id"] = r.RequestId,
                ["api_key"] = r.KeyId,
                ["user"] = r.UserId,
                ["end_user"] = r.EndUser,
                ["team_id"] = r.TeamId,
                ["model_group"] = r.ModelGroup,
                ["model_id"] = r.Deployment,
                ["model"] = r.Model,
                ["custom_llm_provider"] = r.Provider,
                ["prompt_tokens"] = r.InputTokens,
                ["completion_tokens"] = r.OutputTokens,
                ["total_tokens"] = r.InputTokens + r.OutputTokens,
                ["spend"] = r.Cost,
                ["cache_hit"] = r.CacheHit ? "True" : "False",
                ["status"] = r.Status,
                ["call_type"] = r.Endpoint,
                ["request_tags"] = AdminShapes.Strings(r.Tags),
                ["startTime"] = AdminShapes.Time(r.StartTime),
                ["endTime"] = AdminShapes.Time(r.EndTime),
            });
        }

        await AdminQuery.WriteAsync(context, new JsonObject { ["data"] = rows, ["total"] = page.TotalCount, ["page"] = query.Page, ["page_size"] = query.PageSize });
    }

    private static async Task GlobalSpendAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.ReadsAll, AdminAccess.NeedsAdminOrViewer);
        var spend = await context.RequestServices.GetRequiredService<ISpendStore>().GetGlobalSpendAsync(null, context.RequestAborted);
        await AdminQuery.WriteAsync(context, new JsonObject { ["spend"] = spend, ["max_budget"] = null });
    }
}
