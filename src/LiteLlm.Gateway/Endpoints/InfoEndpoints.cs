using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Metrics;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Gateway.Protocol.OpenAI;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>GET /models, /model/info, /model_group/info, /health, /health/liveliness, /health/readiness, /metrics.</summary>
internal static class InfoEndpoints
{
    // The process's start (the models' 'created'): a constant of this process, not a time a host's clock moves.
    private static readonly long Started = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>This gateway's version (reported as <c>litellm_version</c>), without the build's commit suffix.</summary>
    private static readonly string Version = (typeof(InfoEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(InfoEndpoints).Assembly.GetName().Version?.ToString() ?? "0.0.0").Split('+')[0];

    public static async Task ModelsAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var runtime = context.RequestServices.GetRequiredService<LiteLlmRuntime>();
        // Groups, aliases and wildcard groups expanded to the models they serve, as the caller's key, team and user allow
        // (access groups and wildcards in their lists too).
        var mayCall = await CallableModelGroupsAsync(context, caller).ConfigureAwait(false);
        var groups = runtime.Router.ListModels().Where(mayCall);
        var body = new ModelListResponse { Data = groups.Select(g => new ModelDto { Id = g, Created = Started }).ToList() };
        await WriteAsync(context, 200, body, GatewayJson.Context.ModelListResponse).ConfigureAwait(false);
    }

    public static async Task ModelInfoAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var runtime = context.RequestServices.GetRequiredService<LiteLlmRuntime>();
        var mayCall = await CallableModelGroupsAsync(context, caller).ConfigureAwait(false);
        var dbModels = context.RequestServices.GetService<DbModelRuntime>();
        var onlyId = context.Request.Query["litellm_model_id"].ToString() is { Length: > 0 } wanted ? wanted : null;
        var data = new List<ModelInfoEntry>();
        foreach (var group in runtime.Router.ModelGroups.Order(StringComparer.Ordinal))
        {
            if (!mayCall(group))
            {
                continue;
            }

            foreach (var state in runtime.Router.DeploymentsOf(group))
            {
                var d = state.Deployment;
                var info = state.Info;
                if (onlyId is not null && d.Id != onlyId)
                {
                    continue;
                }

                data.Add(new ModelInfoEntry
                {
                    ModelName = group,
                    LitellmParams = new ModelInfoParams { Model = d.Model, ApiBase = SafeBase(d.Provider?.ApiBase), Rpm = d.Rpm, Tpm = d.Tpm },
                    ModelInfo = new ModelInfoDetails
                    {
                        Id = d.Id,
                        DbModel = dbModels?.IsDbModel(d.Id) == true,
                        LitellmProvider = info?.Provider ?? ProviderOf(d.Model),
                        Mode = info?.Mode,
                        MaxInputTokens = state.MaxInputTokens,
                        MaxOutputTokens = info?.MaxOutputTokens,
                        InputCostPerToken = info?.InputCostPerToken,
                        OutputCostPerToken = info?.OutputCostPerToken,
                        SupportsFunctionCalling = info?.SupportsFunctionCalling,
                        SupportsVision = info?.SupportsVision,
                    },
                });
            }
        }

        await WriteAsync(context, 200, new ModelInfoResponse { Data = data }, GatewayJson.Context.ModelInfoResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// LiteLLM's <c>/model_group/info</c>: one <c>ModelGroupInfo</c> per model group the caller may call (stored models
    /// included), aggregated over its deployments: providers, the largest context, the dearest prices, summed rpm/tpm.
    /// </summary>
    public static async Task ModelGroupInfoAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var router = RuntimeOf(context).Router;
        var mayCall = await CallableModelGroupsAsync(context, caller).ConfigureAwait(false);
        var only = context.Request.Query["model_group"].ToString() is { Length: > 0 } wanted ? wanted : null;
        var data = new JsonArray();
        foreach (var group in router.ModelGroups.Order(StringComparer.Ordinal).Where(g => (only is null || g == only) && mayCall(g)))
        {
            var states = router.DeploymentsOf(group);
            var infos = states.Select(s => s.Info).OfType<Models.ModelInfo>().ToList();
            var providers = states.Select(s => s.Info?.Provider ?? ProviderOf(s.Deployment.Model)).OfType<string>().Distinct(StringComparer.Ordinal);
            data.Add((JsonNode)new JsonObject
            {
                ["model_group"] = group,
                ["providers"] = new JsonArray([.. providers.Select(p => (JsonNode?)p)]),
                ["max_input_tokens"] = states.Max(s => s.MaxInputTokens),
                ["max_output_tokens"] = infos.Max(i => i.MaxOutputTokens),
                ["input_cost_per_token"] = infos.Max(i => i.InputCostPerToken),
                ["output_cost_per_token"] = infos.Max(i => i.OutputCostPerToken),
                ["mode"] = infos.Select(i => i.Mode).FirstOrDefault(m => m is not null) ?? "chat",
                ["tpm"] = states.Any(s => s.Deployment.Tpm is not null) ? states.Sum(s => s.Deployment.Tpm ?? 0) : null,
                ["rpm"] = states.Any(s => s.Deployment.Rpm is not null) ? states.Sum(s => s.Deployment.Rpm ?? 0) : null,
                ["supports_parallel_function_calling"] = infos.Any(i => i.SupportsParallelFunctionCalling),
                ["supports_vision"] = infos.Any(i => i.SupportsVision),
                ["supports_function_calling"] = infos.Any(i => i.SupportsFunctionCalling),
                ["supported_openai_params"] = new JsonArray(),
            });
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["data"] = data }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static string? ProviderOf(string model) => model.Contains('/', StringComparison.Ordinal) ? model[..model.IndexOf('/', StringComparison.Ordinal)] : null;

    /// <summary>Probes every deployment with a one-token call (embedding deployments with one embedding), in parallel.</summary>
    public static async Task HealthAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is null)
        {
            return;
        }

        var runtime = context.RequestServices.GetRequiredService<LiteLlmRuntime>();
        var options = context.RequestServices.GetRequiredService<GatewayOptions>();
        var probes = runtime.Router.ModelGroups
            .SelectMany(g => runtime.Router.DeploymentsOf(g))
            .Select(d => ProbeAsync(runtime, d, options.HealthProbeTimeout, context.RequestAborted))
            .ToList();
        var results = await Task.WhenAll(probes).ConfigureAwait(false);
        var body = new HealthResponse
        {
            HealthyEndpoints = results.Where(r => r.Error is null).ToList(),
            UnhealthyEndpoints = results.Where(r => r.Error is not null).ToList(),
        };
        body.HealthyCount = body.HealthyEndpoints.Count;
        body.UnhealthyCount = body.UnhealthyEndpoints.Count;
        await WriteAsync(context, 200, body, GatewayJson.Context.HealthResponse).ConfigureAwait(false);
    }

    public static Task LivelinessAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("\"I'm alive!\"");
    }

    /// <summary>
    /// LiteLLM's readiness answer (<c>status</c>, <c>db</c>, <c>cache</c>, <c>litellm_version</c>) plus each check's detail.
    /// A database or Redis that does not answer leaves it 200 (<c>db: "disconnected"</c>): requests are still served from
    /// cached keys and local counters, and a readiness probe that failed then would take every replica out at once.
    /// Any other failing check makes it 503.
    /// </summary>
    public static async Task ReadinessAsync(HttpContext context)
    {
        var checks = context.RequestServices.GetServices<IReadinessCheck>().ToList();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var results = await Task.WhenAll(checks.Select(async c =>
        {
            try
            {
                return (c.Name, Healthy: await c.CheckAsync(timeout.Token).ConfigureAwait(false), Detail: (string?)null);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return (c.Name, Healthy: false, Detail: timeout.IsCancellationRequested ? "timed out" : "check failed: " + e.GetType().Name);
            }
        })).ConfigureAwait(false);
        var degradable = new HashSet<string>(["db", "redis"], StringComparer.Ordinal);
        var failing = results.Where(r => !r.Healthy).ToList();
        var ready = failing.TrueForAll(r => degradable.Contains(r.Name));
        var db = results.Where(r => r.Name == "db").Select(r => r.Healthy ? "connected" : "disconnected").FirstOrDefault("Not connected");
        var checksJson = new JsonObject();
        foreach (var r in results)
        {
            checksJson[r.Name] = new JsonObject { ["status"] = r.Healthy ? "healthy" : "unhealthy", ["detail"] = r.Detail };
        }

        var body = new JsonObject
        {
            ["status"] = failing.Count == 0 ? "healthy" : ready ? "degraded" : "unhealthy",
            ["db"] = db,
            ["cache"] = Array.Exists(results, r => r.Name == "redis") ? "redis" : null,
            ["litellm_version"] = Version,
            ["success_callbacks"] = new JsonArray(),
            ["checks"] = checksJson,
        };
        context.Response.StatusCode = ready ? 200 : 503;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The listing filter of <c>/v1/models</c> and <c>/model/info</c>: the model groups the caller may call (its key's
    /// models bounded by its team's and user's, <see cref="ModelAccess"/>). Listing rules (access groups, wildcards) belong here.
    /// </summary>
    private static LiteLlmRuntime RuntimeOf(HttpContext context) => context.RequestServices.GetRequiredService<LiteLlmRuntime>();

    private static async ValueTask<Func<string, bool>> CallableModelGroupsAsync(HttpContext context, CallerIdentity caller)
    {
        if (context.RequestServices.GetService<KeyGate>() is not { } gate)
        {
            return group => ModelAccess.ListAllows(caller.AllowedModels, group) || RuntimeOf(context).Router.IsModelAllowed(caller.AllowedModels, group);
        }

        var access = await gate.GetModelAccessAsync(caller, context.RequestAborted).ConfigureAwait(false);
        return access.Allows;
    }

    public static Task MetricsAsync(HttpContext context)
    {
        var exporter = context.RequestServices.GetRequiredService<PrometheusExporter>();
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        return context.Response.WriteAsync(exporter.Scrape());
    }

    private static async Task<HealthEndpointDto> ProbeAsync(LiteLlmRuntime runtime, DeploymentState state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var d = state.Deployment;
        var result = new HealthEndpointDto { Model = d.Model, ModelGroup = d.ModelGroup, ModelId = d.Id };
        var started = Stopwatch.GetTimestamp();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            if (state.Info?.Mode == "embedding" || d.EmbeddingGenerator is not null)
            {
                var generator = d.EmbeddingGenerator ?? runtime.Factory.CreateEmbeddingGenerator(d.Model, d.Provider);
                _ = await generator.GenerateAsync(["health check"], cancellationToken: cts.Token).ConfigureAwait(false);
            }
            else
            {
                var client = d.Client ?? runtime.Factory.CreateChatClient(d.Model, d.Provider);
                _ = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "test from litellm")], new ChatOptions { MaxOutputTokens = 1 }, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Error = e is OperationCanceledException ? "The probe timed out." : GatewayErrors.FromException(e).Message;
        }

        result.LatencyMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        return result;
    }

    private static string? SafeBase(string? apiBase)
    {
        if (apiBase is null || !Uri.TryCreate(apiBase, UriKind.Absolute, out var uri))
        {
            return apiBase is null ? null : "(set)";
        }

        // Never credentials: no user info, no query (some hosts take keys there).
        return new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Query = string.Empty }.Uri.ToString();
    }

    private static async Task<CallerIdentity?> AuthenticateAsync(HttpContext context)
    {
        var gate = context.RequestServices.GetRequiredService<IRequestGate>();
        var result = await gate.AuthenticateAsync(context, context.RequestAborted).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            await GatewayErrors.WriteAsync(context, error).ConfigureAwait(false);
            return null;
        }

        return result.Value ?? CallerIdentity.Anonymous;
    }

    private static async Task WriteAsync<T>(HttpContext context, int status, T body, JsonTypeInfo<T> typeInfo)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, typeInfo, context.RequestAborted).ConfigureAwait(false);
    }
}
