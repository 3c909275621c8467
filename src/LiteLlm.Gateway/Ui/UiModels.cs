using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LiteLlm.Configuration;
using LiteLlm.Routing;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The models page: every deployment the signed-in key may call (<c>/model/info</c>) with its price, limits, the router's
/// cooldown state and its health on demand; models stored in the database added, edited and deleted through
/// <c>/model/new</c>, <c>/model/update</c> and <c>/model/delete</c>. Config-file models are shown read-only.
/// </summary>
internal static class UiModels
{
    private static readonly string[] Params = ["model", "api_base", "api_key"];
    private static readonly string[] Limits = ["rpm", "tpm"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/models", Page((c, s) => RenderAsync(c, s, null)));
        endpoints.MapPost(Root + "/models/health", Form(CheckHealthAsync));
        endpoints.MapGet(Root + "/models/edit", Page(EditAsync));
        endpoints.MapPost(Root + "/models/create", Form((c, s) =>
        {
            var body = Body(c.Request.Form);
            return UiForm.ChangeAsync(c, s!, "/model/new", body, "Model added.", "/models");
        }));
        endpoints.MapPost(Root + "/models/update", Form((c, s) =>
        {
            var id = c.Request.Form["id"].ToString();
            var body = Body(c.Request.Form);
            body["model_info"] = new JsonObject { ["id"] = id };
            return UiForm.ChangeAsync(c, s!, "/model/update", body, "Model updated.", "/models", EditPage(id));
        }));
        endpoints.MapPost(Root + "/models/delete", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/model/delete", new JsonObject { ["id"] = c.Request.Form["id"].ToString() }, "Model deleted.", "/models")));
    }

    private static string EditPage(string id) => "/models/edit?id=" + UiForm.Q(id);

    /// <summary>
    /// The API body from the form: the provider model, api_base, api_key (only when typed: empty keeps the stored one),
    /// rpm/tpm, and the prices typed per million tokens as LiteLLM's per-token <c>input_cost_per_token</c>/<c>output_cost_per_token</c>.
    /// </summary>
    private static JsonObject Body(IFormCollection form)
    {
        var litellmParams = UiForm.Body(form, Params, Limits);
        foreach (var (field, key) in new[] { ("input_cost", "input_cost_per_token"), ("output_cost", "output_cost_per_token") })
        {
            if (form[field].ToString().Trim() is { Length: > 0 } text)
            {
                // Not a number: sent as typed, so the API's 400 names the field.
                litellmParams[key] = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var perMillion)
                    ? JsonValue.Create(perMillion / 1_000_000m) : JsonValue.Create(text);
            }
        }

        var body = new JsonObject { ["litellm_params"] = litellmParams };
        if (form["model_name"].ToString().Trim() is { Length: > 0 } name)
        {
            body["model_name"] = name;
        }

        return body;
    }

    /// <summary>Runs <c>/health</c> (a form post: it sends a request to every deployment) and shows the models page with it.</summary>
    private static async Task CheckHealthAsync(HttpContext context, UiSession? session)
    {
        var health = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session!.Key, "/health", context.RequestAborted);
        if (!await SignedOutAsync(context, health))
        {
            await RenderAsync(context, session, health);
        }
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

        var cooldown = Cooldowns(context);
        var body = new StringBuilder("<h1>Models</h1>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        if (health is { Ok: false })
        {
            body.Append(Error("Health check failed: " + health.Error));
        }

        var stored = context.RequestServices.GetService<Hosting.DbModelSync>() is not null;
        if (session.IsAdmin && stored)
        {
            body.Append("<form method=\"post\" action=\"").Append(Root).Append("/models/create\" id=\"create\">").Append(Token(context))
                .Append("<fieldset><legend>Add a model (stored in the database)</legend>").Append(Fields(null))
                .Append("<br><button id=\"add-model\">Add model</button></fieldset></form>");
        }
        else if (session.IsAdmin)
        {
            body.Append("<p>Models come from the config file. Set <code>general_settings.store_model_in_db: true</code> to add models here.</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(Root).Append("/models/health\">").Append(Token(context))
            .Append("<button id=\"check-health\">Check health</button> <span>(sends a small request to every deployment)</span></form><br>")
            .Append("<div class=\"scroll\"><table id=\"models\"><thead><tr><th>Model group</th><th>Deployment</th><th>Provider</th><th>API base</th><th>Input $/1M tok</th><th>Output $/1M tok</th><th>rpm / tpm</th><th>Router state</th><th>Health</th><th>Source</th><th></th></tr></thead><tbody>");
        foreach (var m in result.Body?["data"]?.AsArray() ?? [])
        {
            var id = Str(m?["model_info"]?["id"]);
            var db = m?["model_info"]?["db_model"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
            var (ok, text) = status.TryGetValue(id, out var s) ? s : (true, health is null ? "not checked" : "not probed");
            var state = cooldown.TryGetValue(id, out var h) ? h : (DeploymentHealth?)null;
            body.Append("<tr data-model=\"").Append(E(Str(m?["model_name"]))).Append("\" data-id=\"").Append(E(id)).Append("\"><td>").Append(E(Str(m?["model_name"]))).Append("</td><td>").Append(E(Str(m?["litellm_params"]?["model"])))
                .Append("</td><td>").Append(E(Str(m?["model_info"]?["litellm_provider"]))).Append("</td><td>").Append(E(Str(m?["litellm_params"]?["api_base"])))
                .Append("</td><td class=\"input-price\">").Append(E(PerMillion(m?["model_info"]?["input_cost_per_token"]))).Append("</td><td class=\"output-price\">").Append(E(PerMillion(m?["model_info"]?["output_cost_per_token"])))
                .Append("</td><td class=\"limits\">").Append(E(Num(m?["litellm_params"]?["rpm"]))).Append(" / ").Append(E(Num(m?["litellm_params"]?["tpm"])))
                .Append("</td><td class=\"cooldown\">").Append(StateText(state))
                .Append("</td><td class=\"health\">").Append(ok ? string.Empty : "<span class=\"blocked\">").Append(E(text)).Append(ok ? string.Empty : "</span>")
                .Append("</td><td class=\"source\">").Append(db ? "database" : "config (read-only)").Append("</td><td>");
            if (db && session.IsAdmin)
            {
                body.Append("<a class=\"edit\" href=\"").Append(Root).Append(E(EditPage(id))).Append("\">Edit</a> ")
                    .Append(Button(context, "/models/delete", "Delete", "danger", "delete", ("id", id)));
            }

            body.Append("</td></tr>");
        }

        body.Append("</tbody></table></div><p>Router state is this replica's view: <b>cooling down</b> deployments get no traffic until the cooldown ends; ")
            .Append("<b>failing</b> means its last call failed through the deployment's fault.</p>");
        await WriteAsync(context, "Models", session, "models", body.ToString());
    }

    /// <summary>
    /// The router's state per deployment id, read-only from the library's public <see cref="LiteLlmRouter.GetDeploymentHealth"/>
    /// (no management endpoint reports cooldowns; <c>/metrics</c> has the same values as a gauge). Only ids that
    /// <c>/model/info</c> listed for this key are shown, so the page reveals nothing the API would not.
    /// </summary>
    private static Dictionary<string, DeploymentHealth> Cooldowns(HttpContext context)
    {
        var states = new Dictionary<string, DeploymentHealth>(StringComparer.Ordinal);
        foreach (var report in context.RequestServices.GetService<LiteLlmRuntime>()?.Router.GetDeploymentHealth() ?? [])
        {
            states[report.Deployment.Deployment.Id] = report.Health;
        }

        return states;
    }

    private static string StateText(DeploymentHealth? state) => state switch
    {
        DeploymentHealth.CompleteOutage => "<span class=\"blocked\">cooling down</span>",
        DeploymentHealth.PartialOutage => "<span class=\"blocked\">failing</span>",
        DeploymentHealth.Healthy => "ok",
        _ => string.Empty,
    };

    /// <summary>A stored model's form, filled from <c>/model/info</c> (the API key is never read back: empty keeps it).</summary>
    private static async Task EditAsync(HttpContext context, UiSession session)
    {
        var id = context.Request.Query["id"].ToString();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/model/info?litellm_model_id=" + UiForm.Q(id), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Model ").Append(E(id)).Append("</h1><p><a href=\"").Append(Root).Append("/models\">← all models</a></p>");
        var model = result.Body?["data"]?.AsArray().FirstOrDefault();
        if (!result.Ok || model is null)
        {
            await WriteAsync(context, "Model", session, "models", body.Append(Error(result.Ok ? $"No model with id {id} that this key may see." : result.Error)).ToString(), result.Ok ? 404 : result.Status);
            return;
        }

        body.Append("<form method=\"post\" action=\"").Append(Root).Append("/models/update\" id=\"edit\">").Append(Token(context))
            .Append("<input type=\"hidden\" name=\"id\" value=\"").Append(E(id)).Append("\"><fieldset><legend>Deployment</legend>").Append(Fields(model))
            .Append("<br><button id=\"save-model\">Save</button> <span>Empty fields keep their stored value.</span></fieldset></form>");
        await WriteAsync(context, "Model", session, "models", body.ToString());
    }

    private static string Fields(JsonNode? model) => new StringBuilder()
        .Append(Input("model_name", "Model name (group)", Str(model?["model_name"]), 14))
        .Append(Input("model", "Provider model (openai/gpt-4o-mini)", Str(model?["litellm_params"]?["model"]), 22))
        .Append(Input("api_base", "API base", Str(model?["litellm_params"]?["api_base"]), 26))
        .Append("<label>API key <input type=\"password\" name=\"api_key\" id=\"api_key\" autocomplete=\"off\" size=\"20\" placeholder=\"")
        .Append(model is null ? string.Empty : "stored; empty keeps it").Append("\"></label>")
        .Append(Input("rpm", "rpm", Num(model?["litellm_params"]?["rpm"]), 6))
        .Append(Input("tpm", "tpm", Num(model?["litellm_params"]?["tpm"]), 8))
        .Append(Input("input_cost", "Input $/1M tokens", PerMillion(model?["model_info"]?["input_cost_per_token"]).TrimStart('$'), 7))
        .Append(Input("output_cost", "Output $/1M tokens", PerMillion(model?["model_info"]?["output_cost_per_token"]).TrimStart('$'), 7)).ToString();

    private static string PerMillion(JsonNode? node)
        => node is JsonValue v && v.TryGetValue<decimal>(out var perToken) ? "$" + (perToken * 1_000_000m).ToString("0.####", CultureInfo.InvariantCulture) : string.Empty;
}
