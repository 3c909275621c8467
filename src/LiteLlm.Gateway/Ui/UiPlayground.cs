using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The playground: pick a model the signed-in key may call, send a message, and read the answer as it streams — without
/// script: the page is one chunked HTML response, flushed as each token arrives. The request is the gateway's own
/// <c>/chat/completions</c> endpoint called in-process as the signed-in key, so access, limits, budgets and spend
/// apply exactly as they do over the API (and the request shows in the logs).
/// </summary>
internal static class UiPlayground
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/playground", Page((context, session) => PageAsync(context, session, null, null, null)));
        endpoints.MapPost(Root + "/playground", Form((context, session) =>
        {
            var form = context.Request.Form;
            return PageAsync(context, session!, form["model"].ToString(), form["system"].ToString(), form["message"].ToString());
        }));
    }

    private static async Task PageAsync(HttpContext context, UiSession session, string? model, string? system, string? message)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var models = await api.GetAsync(session.Key, "/model/info", context.RequestAborted);
        if (await SignedOutAsync(context, models))
        {
            return;
        }

        var names = (models.Body?["data"] as JsonArray ?? []).Select(m => Str(m?["model_name"])).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var page = new StringBuilder("<h1>Playground</h1>");
        if (!models.Ok)
        {
            page.Append(Error(models.Error));
        }

        page.Append("<form method=\"post\" action=\"").Append(Root).Append("/playground\" id=\"chat\">").Append(Token(context)).Append("<fieldset>")
            .Append(Select("model", "Model", names, model)).Append("<br><label>System prompt (optional)<br><textarea name=\"system\" id=\"system\" rows=\"2\">")
            .Append(E(system)).Append("</textarea></label><br><label>Message<br><textarea name=\"message\" id=\"message\" rows=\"4\" required>").Append(E(message))
            .Append("</textarea></label><br><button id=\"send\">Send</button> <span>The request runs as your key: its models, limits and budget apply, and it is billed.</span></fieldset></form>");
        if (string.IsNullOrWhiteSpace(message) || string.IsNullOrEmpty(model))
        {
            await WriteAsync(context, "Playground", session, "playground", page.ToString());
            return;
        }

        // The page so far goes out now; the answer follows token by token in the same response.
        Headers(context);
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Top(context, "Playground", session, "playground") + page + "<h2>Answer</h2><div class=\"answer\" id=\"answer\">", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);

        var messages = new JsonArray();
        if (!string.IsNullOrWhiteSpace(system))
        {
            messages.Add((JsonNode)new JsonObject { ["role"] = "system", ["content"] = system });
        }

        messages.Add((JsonNode)new JsonObject { ["role"] = "user", ["content"] = message });
        var body = new JsonObject { ["model"] = model, ["messages"] = messages, ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = true } };
        JsonNode? usage = null;
        string? failure = null;
        var (result, callId) = await api.StreamAsync(session.Key, "/chat/completions", body, async data =>
        {
            if (data == "[DONE]")
            {
                return;
            }

            var chunk = JsonNode.Parse(data);
            usage = chunk?["usage"] ?? usage;
            failure ??= chunk?["error"]?["message"]?.GetValue<string>();
            if (chunk?["choices"] is JsonArray { Count: > 0 } choices && Str(choices[0]?["delta"]?["content"]) is { Length: > 0 } text)
            {
                await context.Response.WriteAsync(E(text), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }, context.RequestAborted);

        var tail = new StringBuilder("</div>");
        if (!result.Ok || failure is not null)
        {
            tail.Append(Error(failure ?? result.Error));
        }

        if (usage is not null)
        {
            tail.Append("<p id=\"usage\">").Append(E(Num(usage["prompt_tokens"]))).Append(" tokens in, ").Append(E(Num(usage["completion_tokens"]))).Append(" out.</p>");
        }

        if (result.Ok && !string.IsNullOrEmpty(callId))
        {
            tail.Append("<p>Request <a id=\"request\" href=\"").Append(Root).Append("/logs/detail?request_id=").Append(E(UiForm.Q(callId))).Append("\"><code>")
                .Append(E(callId)).Append("</code></a> (its cost shows in the logs once its spend row is written).</p>");
        }

        await context.Response.WriteAsync(tail.Append(Bottom).ToString(), context.RequestAborted);
    }
}
