using System.Text.Json.Nodes;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Storage;

namespace LiteLlm.Gateway.Admin;

/// <summary>
/// LiteLLM's model management: <c>/model/new</c>, <c>/model/update</c>, <c>PATCH /model/{model_id}/update</c>,
/// <c>/model/delete</c>. Deployments are stored in the database with their <c>litellm_params</c> sealed
/// (<see cref="ModelSecrets"/>) and served by every replica within seconds (<see cref="DbModelSync"/>). As in LiteLLM
/// this needs <c>store_model_in_db</c>, is for <c>proxy_admin</c> only, and config-file models cannot be changed here.
/// </summary>
internal static class ModelEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/model/new", AdminEndpoints.Guarded(NewAsync));
        endpoints.MapPost("/model/update", AdminEndpoints.Guarded(context => UpdateAsync(context, null)));
        endpoints.MapMethods("/model/{model_id}/update", ["PATCH"], AdminEndpoints.Guarded(context => UpdateAsync(context, context.Request.RouteValues["model_id"] as string)));
        endpoints.MapPost("/model/delete", AdminEndpoints.Guarded(DeleteAsync));
    }

    private static async Task NewAsync(HttpContext context)
    {
        var (caller, services) = await AdminOnlyAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var modelName = input.String("model_name") ?? throw GatewayErrors.Invalid("'model_name' is required.", "model_name", "missing_field");
        var litellmParams = input.Object("litellm_params") ?? throw GatewayErrors.Invalid("'litellm_params' is required (at least {\"model\": \"provider/model\"}).", "litellm_params", "missing_field");
        var modelInfo = ModelInfoOf(input);
        input.RefuseUnknown();
        var id = modelInfo?["id"] is JsonValue v && v.TryGetValue<string>(out var given) && given.Length > 0 ? given : Guid.NewGuid().ToString();
        if (services.Runtime.IsDbModel(id) || services.Runtime.ConfigModelName(services.Lite, id) is not null || await services.Store.GetModelAsync(id, context.RequestAborted) is not null)
        {
            throw GatewayErrors.Invalid($"A model with id '{id}' already exists.", "model_info.id", "model_exists");
        }

        Build(services, id, modelName, litellmParams, modelInfo);
        var now = services.Time.GetUtcNow();
        var by = caller.UserId ?? LiteLlmProxyAdminName;
        var row = new StoredModelRecord(id, modelName, services.Secrets.Seal(id, litellmParams.ToJsonString()), Info(modelInfo, id), now, now, by, by);
        if (!await services.Store.InsertModelAsync(row, context.RequestAborted))
        {
            throw GatewayErrors.Invalid($"A model with id '{id}' already exists.", "model_info.id", "model_exists");
        }

        await services.Sync.ChangedAsync(context.RequestAborted);
        await AdminQuery.WriteAsync(context, Row(row, litellmParams));
    }

    /// <summary>
    /// <c>/model/update</c> (id in <c>model_info.id</c>) and <c>PATCH /model/{id}/update</c>: the given
    /// <c>litellm_params</c> and <c>model_info</c> keys replace the stored ones (null keeps the stored value), a given
    /// <c>model_name</c> renames the deployment.
    /// </summary>
    private static async Task UpdateAsync(HttpContext context, string? pathId)
    {
        var (caller, services) = await AdminOnlyAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var modelName = input.String("model_name");
        var litellmParams = input.Object("litellm_params");
        var modelInfo = ModelInfoOf(input);
        input.RefuseUnknown();
        var id = pathId ?? (modelInfo?["id"] is JsonValue v && v.TryGetValue<string>(out var given) && given.Length > 0
            ? given
            : throw GatewayErrors.Invalid("'model_info.id' is required: the id of the model to update.", "model_info.id", "missing_field"));
        var existing = await services.Store.GetModelAsync(id, context.RequestAborted);
        if (existing is null)
        {
            RefuseConfigModel(services, id, "edit");
            throw new GatewayRequestException(new GatewayError(404, $"Model {id} not found on proxy.", "invalid_request_error", "model_not_found", "model_info.id"));
        }

        var stored = services.Sync.Open(existing)
            ?? throw new GatewayRequestException(new GatewayError(409, $"Model {id} is stored under another encryption key (LITELLM_SALT_KEY or the master key changed); delete it and add it again.", "invalid_request_error", "model_unreadable", "model_info.id"));
        var mergedParams = Merge(stored, litellmParams);
        var mergedInfo = Merge(DbModelSync.ParseObject(existing.ModelInfo) ?? [], modelInfo);
        var name = modelName ?? existing.ModelName;
        Build(services, id, name, mergedParams, mergedInfo);
        var row = existing with
        {
            ModelName = name,
            LitellmParams = services.Secrets.Seal(id, mergedParams.ToJsonString()),
            ModelInfo = Info(mergedInfo, id),
            UpdatedAt = services.Time.GetUtcNow(),
            UpdatedBy = caller.UserId ?? LiteLlmProxyAdminName,
        };
        if (!await services.Store.UpdateModelAsync(row, context.RequestAborted))
        {
            throw new GatewayRequestException(new GatewayError(404, $"Model {id} not found on proxy.", "invalid_request_error", "model_not_found", "model_info.id"));
        }

        await services.Sync.ChangedAsync(context.RequestAborted);
        await AdminQuery.WriteAsync(context, Row(row, mergedParams));
    }

    private static async Task DeleteAsync(HttpContext context)
    {
        var (_, services) = await AdminOnlyAsync(context);
        var input = await AdminInput.ReadAsync(context);
        var id = input.String("id") ?? throw GatewayErrors.Invalid("'id' is required: the model_info.id of the model to delete.", "id", "missing_field");
        input.RefuseUnknown();
        if (!await services.Store.DeleteModelAsync(id, context.RequestAborted))
        {
            RefuseConfigModel(services, id, "delete");
            throw GatewayErrors.Invalid($"Model with id={id} not found in db", "id", "model_not_found");
        }

        await services.Sync.ChangedAsync(context.RequestAborted);
        await AdminQuery.WriteAsync(context, new JsonObject { ["message"] = $"Model: {id} deleted successfully" });
    }

    /// <summary>LiteLLM's <c>created_by</c>/<c>updated_by</c> for the master key, which has no user.</summary>
    private const string LiteLlmProxyAdminName = "default_user_id";

    private sealed record Services(IModelStore Store, ModelSecrets Secrets, DbModelRuntime Runtime, DbModelSync Sync, LiteLlmRuntime Lite, TimeProvider Time);

    /// <summary>Authenticates (401), requires <c>proxy_admin</c> (403), then <c>store_model_in_db</c> (400, as LiteLLM asks for it).</summary>
    private static async Task<(AdminCaller Caller, Services Services)> AdminOnlyAsync(HttpContext context)
    {
        var caller = await AdminAccess.CallerAsync(context);
        caller.Require(caller.IsAdmin, AdminAccess.NeedsAdmin);
        var sp = context.RequestServices;
        if (sp.GetService<DbModelSync>() is not { } sync)
        {
            throw GatewayErrors.Invalid(
                "Storing models in the database is off. Set `'STORE_MODEL_IN_DB='True'` in your env (or general_settings.store_model_in_db: true) to enable this feature.",
                code: "store_model_in_db_disabled");
        }

        return (caller, new Services(
            sp.GetRequiredService<SqlGatewayStore>(), sp.GetRequiredService<ModelSecrets>(), sp.GetRequiredService<DbModelRuntime>(), sync,
            sp.GetRequiredService<LiteLlmRuntime>(), sp.GetRequiredService<TimeProvider>()));
    }

    private static JsonObject? ModelInfoOf(AdminInput input)
    {
        var info = input.Object("model_info");
        if (info?["team_id"] is JsonValue team && team.GetValueKind() != System.Text.Json.JsonValueKind.Null)
        {
            // LiteLLM's team models (an enterprise feature) rename the group per team; not built here.
            throw GatewayErrors.Invalid("'model_info.team_id' (team models) is not supported by this gateway; add the model without it and give the team access with its 'models'.", "model_info.team_id", "unsupported_field");
        }

        if (info?["id"] is { } idNode && (idNode is not JsonValue idValue || !idValue.TryGetValue<string>(out _)))
        {
            throw GatewayErrors.Invalid("'model_info.id' must be a string.", "model_info.id", "invalid_field");
        }

        return info;
    }

    /// <summary>Refuses to change a config-file model with a 400 naming it, as LiteLLM does.</summary>
    private static void RefuseConfigModel(Services services, string id, string verb)
    {
        if (services.Runtime.ConfigModelName(services.Lite, id) is not { } group)
        {
            return;
        }

        throw GatewayErrors.Invalid(
            $"Can't {verb} model '{group}' (id {id}): Model in config. Config-file models are read-only through the API; store a model in db via `/model/new` to {verb} it.",
            "model_info.id",
            "config_model_read_only");
    }

    private static void Build(Services services, string id, string modelName, JsonObject litellmParams, JsonObject? modelInfo)
    {
        var (model, error, param) = DbModelRuntime.Build(services.Lite, id, modelName, litellmParams, modelInfo);
        if (model is null)
        {
            throw GatewayErrors.Invalid("Invalid model: " + error, param, "invalid_model");
        }
    }

    /// <summary>The stored <c>model_info</c>: the given keys, the id, and LiteLLM's <c>db_model: true</c>.</summary>
    private static string Info(JsonObject? modelInfo, string id)
    {
        var info = modelInfo?.DeepClone().AsObject() ?? [];
        info["id"] = id;
        info["db_model"] = true;
        return info.ToJsonString();
    }

    private static JsonObject Merge(JsonObject stored, JsonObject? changes)
    {
        var merged = stored.DeepClone().AsObject();
        foreach (var (key, value) in changes ?? [])
        {
            if (value is not null)
            {
                merged[key] = value.DeepClone();
            }
        }

        return merged;
    }

    /// <summary>A stored deployment as LiteLLM's <c>LiteLLM_ProxyModelTable</c>, its credentials masked.</summary>
    private static JsonObject Row(StoredModelRecord row, JsonObject litellmParams) => new()
    {
        ["model_id"] = row.ModelId,
        ["model_name"] = row.ModelName,
        ["litellm_params"] = ModelMasking.Mask(litellmParams),
        ["model_info"] = DbModelSync.ParseObject(row.ModelInfo) ?? [],
        ["created_at"] = AdminShapes.Time(row.CreatedAt),
        ["created_by"] = row.CreatedBy,
        ["updated_at"] = AdminShapes.Time(row.UpdatedAt),
        ["updated_by"] = row.UpdatedBy,
    };
}

/// <summary>
/// LiteLLM's masking of <c>litellm_params</c> in answers: a string under a key whose name carries a credential word
/// (<c>key</c>, <c>secret</c>, <c>token</c>, <c>password</c>, <c>credential</c>, <c>auth</c>, <c>private</c>,
/// <c>certificate</c>) keeps its first and last 4 characters (all masked when 8 or shorter), in nested objects too.
/// <c>os.environ/NAME</c> references are shown: they name a variable, not a secret.
/// </summary>
internal static class ModelMasking
{
    private static readonly string[] Sensitive = ["key", "secret", "token", "password", "credential", "auth", "private", "certificate"];

    public static JsonObject Mask(JsonObject litellmParams)
    {
        var masked = new JsonObject();
        foreach (var (key, value) in litellmParams)
        {
            masked[key] = value switch
            {
                JsonObject o => Mask(o),
                JsonValue v when v.TryGetValue<string>(out var s) && IsSensitive(key) && !s.StartsWith("os.environ/", StringComparison.Ordinal) => MaskValue(s),
                _ => value?.DeepClone(),
            };
        }

        return masked;
    }

    private static bool IsSensitive(string key)
        => key.ToLowerInvariant().Split('_', '-').Any(segment => Sensitive.Any(word => segment.Contains(word, StringComparison.Ordinal)));

    private static string MaskValue(string value)
        => value.Length <= 8 ? new string('*', value.Length) : string.Concat(value.AsSpan(0, 4), new string('*', value.Length - 8), value.AsSpan(value.Length - 4));
}
