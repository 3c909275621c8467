using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The models page: every deployment the signed-in key may call (<c>/model/info</c>) with its price and limits, and its
/// health on demand. Health is a button, not part of the page load, because <c>/health</c> calls every provider.
/// </summary>
internal static class UiModels
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/models", Page((context, session) => RenderAsync(context, session, null)));
        endpoints.MapPost(Root + "/models/health", Form(async (context, session) =>
        {
            var health = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session!.Key, "/health", context.RequestAborted);
            if (!await SignedOutAsync(context, health))
            {
                await RenderAsync(context, session, health);
            }
        }));
    }

    private static async Task RenderAsync(HttpContext context, UiSession session, UiApiResult? health)
    {
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/model/info", context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        // Health per deployment id: "healthy (12 ms)" or the probe's error.
        var status = new Dictionary<string, (bool Ok, string Text)>(StringComparer.Ordinal);
        foreach (var (list, ok) in new[] { ("healthy_endpoints", true), ("unhealthy_endpoints", false) })
        {
            foreach (var e in health?.Body?[list]?.AsArray() ?? [])
            {
                var latency = e?["latency_ms"]?.GetValue<double>() ?? 0;
                status[Str(e?["model_id"])] = (ok, ok ? $"healthy ({latency.ToString("0", CultureInfo.InvariantCulture)} ms)" : "unhealthy: " + Str(e?["error"]));
            }
        }

        var body = new StringBuilder("<h1>Models</h1>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        if (health is { Ok: false })
        {
            body.Append(Error("Health check failed: " + health.Error));
        }

        body.Append("<form method=\"post\" action=\"").Append(Root).Append("/models/health\">").Append(Token(context))
            .Append("<button id=\"check-health\">Check health</button> <span>(sends a small request to every deployment)</span></form><br>")
            .Append("<div class=\"scroll\"><table id=\"models\"><thead><tr><th>Model group</th><th>Deployment</th><th>Provider</th><th>API base</th><th>Input $/1M tok</th><th>Output $/1M tok</th><th>rpm / tpm</th><th>Health</th></tr></thead><tbody>");
        foreach (var m in result.Body?["data"]?.AsArray() ?? [])
        {
            var id = Str(m?["model_info"]?["id"]);
            var (ok, text) = status.TryGetValue(id, out var s) ? s : (true, health is null ? "not checked" : "not probed");
            body.Append("<tr data-model=\"").Append(E(Str(m?["model_name"]))).Append("\"><td>").Append(E(Str(m?["model_name"]))).Append("</td><td>").Append(E(Str(m?["litellm_params"]?["model"])))
                .Append("</td><td>").Append(E(Str(m?["model_info"]?["litellm_provider"]))).Append("</td><td>").Append(E(Str(m?["litellm_params"]?["api_base"])))
                .Append("</td><td>").Append(E(PerMillion(m?["model_info"]?["input_cost_per_token"]))).Append("</td><td>").Append(E(PerMillion(m?["model_info"]?["output_cost_per_token"])))
                .Append("</td><td>").Append(E(Num(m?["litellm_params"]?["rpm"]))).Append(" / ").Append(E(Num(m?["litellm_params"]?["tpm"])))
                .Append("</td><td class=\"health\">").Append(ok ? string.Empty : "<span class=\"blocked\">").Append(E(text)).Append(ok ? string.Empty : "</span>").Append("</td></tr>");
        }

        await WriteAsync(context, "Models", session, "models", body.Append("</tbody></table></div>").ToString());
    }

    private static string PerMillion(JsonNode? node)
        => node is JsonValue v && v.TryGetValue<decimal>(out var perToken) ? "$" + (perToken * 1_000_000m).ToString("0.####", CultureInfo.InvariantCulture) : string.Empty;
}
