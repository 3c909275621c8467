using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Metrics;
using LiteLlm.Gateway.Protocol;
using LiteLlm.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>GET /models, /model/info, /health, /health/liveliness, /health/readiness, /metrics.</summary>
internal static class InfoEndpoints
{
    private static readonly long Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static async Task ModelsAsync(HttpContext context)
    {
        if (await AuthenticateAsync(context).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var runtime = context.RequestServices.GetRequiredService<LiteLlmRuntime>();
        // Groups, aliases and wildcard groups expanded to the models they serve, as the caller's models (access groups too) allow.
        var groups = runtime.Router.ListModels().Where(g => runtime.Router.IsModelAllowed(caller.AllowedModels, g));
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
        var data = new List<ModelInfoEntry>();
        foreach (var group in runtime.Router.ModelGroups.Order(StringComparer.Ordinal))
        {
            if (caller.AllowedModels.Count > 0 && !caller.AllowedModels.Contains(group, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var state in runtime.Router.DeploymentsOf(group))
            {
                var d = state.Deployment;
                var info = state.Info;
                data.Add(new ModelInfoEntry
                {
                    ModelName = group,
                    LitellmParams = new ModelInfoParams { Model = d.Model, ApiBase = SafeBase(d.Provider?.ApiBase), Rpm = d.Rpm, Tpm = d.Tpm },
                    ModelInfo = new ModelInfoDetails
                    {
                        Id = d.Id,
                        LitellmProvider = info?.Provider ?? (d.Model.Contains('/', StringComparison.Ordinal) ? d.Model[..d.Model.IndexOf('/', StringComparison.Ordinal)] : null),
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
        var healthy = results.All(r => r.Healthy);
        var body = new ReadinessResponse
        {
            Status = healthy ? "healthy" : "unhealthy",
            Checks = results.ToDictionary(r => r.Name, r => new ReadinessCheckDto { Status = r.Healthy ? "healthy" : "unhealthy", Detail = r.Detail }),
        };
        await WriteAsync(context, healthy ? 200 : 503, body, GatewayJson.Context.ReadinessResponse).ConfigureAwait(false);
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
