using System.Text.Json;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.OpenAI;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Endpoints;

/// <summary>/health/liveliness (the process runs), /health/readiness (its dependencies answer), /health (each deployment answers a 1-token call).</summary>
internal sealed class HealthEndpoints(LiteLlmRuntime runtime, IEnumerable<IReadinessCheck> checks, IRequestGate gate)
{
    public static IResult Liveliness() => Results.Text("\"I'm alive!\"", "application/json");

    public async Task ReadinessAsync(HttpContext context)
    {
        var results = new List<(string Name, bool Ok)>();
        foreach (var check in checks)
        {
            bool ok;
            try
            {
                ok = await check.CheckAsync(context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(3), context.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                ok = false;
            }

            results.Add((check.Name, ok));
        }

        var healthy = results.All(r => r.Ok);
        context.Response.StatusCode = healthy ? 200 : 503;
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        w.WriteString("status", healthy ? "healthy" : "unhealthy");
        foreach (var (name, ok) in results)
        {
            w.WriteString(name, ok ? "connected" : "unreachable");
        }

        w.WriteEndObject();
    }

    public async Task DeploymentsAsync(HttpContext context)
    {
        var auth = await gate.AuthenticateAsync(context, context.RequestAborted);
        if (auth.Error is { } error)
        {
            await OpenAIError.WriteAsync(context, error);
            return;
        }

        var probes = runtime.Router.ModelGroups.SelectMany(g => runtime.Router.DeploymentsOf(g)).Select(async d =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(15));
                await runtime.Factory.CreateChatClient(d.Deployment.Model, d.Deployment.Provider)
                    .GetResponseAsync("ping", new ChatOptions { MaxOutputTokens = 1 }, timeout.Token);
                return (d, Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                return (d, Error: (string?)Errors.SecretRedactor.Redact(e.Message));
            }
        });
        var results = await Task.WhenAll(probes);
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter);
        w.WriteStartObject();
        Write(w, "healthy_endpoints", results.Where(r => r.Error is null));
        Write(w, "unhealthy_endpoints", results.Where(r => r.Error is not null));
        w.WriteNumber("healthy_count", results.Count(r => r.Error is null));
        w.WriteNumber("unhealthy_count", results.Count(r => r.Error is not null));
        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, string name, IEnumerable<(Routing.DeploymentState D, string? Error)> items)
    {
        w.WriteStartArray(name);
        foreach (var (d, error) in items)
        {
            w.WriteStartObject();
            w.WriteString("model", d.Deployment.Model);
            w.WriteString("model_group", d.Deployment.ModelGroup);
            w.WriteString("id", d.Deployment.Id);
            if (error is not null)
            {
                w.WriteString("error", error);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
