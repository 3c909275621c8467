using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>A key's fields as a form (for creating and editing) and the edit page, which sends <c>/key/update</c>.</summary>
internal static class UiKeyEdit
{
    /// <summary>The form fields of a key, filled from <paramref name="key"/> (a <c>/key/info</c> row) when editing.</summary>
    public static string Fields(JsonNode? key, UiSession session)
    {
        var html = new StringBuilder()
            .Append(Input("key_alias", "Alias", Str(key?["key_alias"])))
            .Append(Input("models", "Models (comma-separated; empty = all)", UiForm.List(key?["models"])))
            .Append(Input("max_budget", "Budget $", Num(key?["max_budget"]), 8))
            .Append(Input("budget_duration", "Budget resets every (1d, 30d, 1mo)", Str(key?["budget_duration"]), 6))
            .Append(Input("duration", key is null ? "Expires after (30d, 12h…)" : "New expiry: from now + (30d, 12h…)", null, 6))
            .Append(Input("rpm_limit", "rpm", Num(key?["rpm_limit"]), 6))
            .Append(Input("tpm_limit", "tpm", Num(key?["tpm_limit"]), 8))
            .Append(Input("team_id", "Team id", Str(key?["team_id"]), 12));
        if (session.IsAdmin)
        {
            html.Append(Input("user_id", "User id", Str(key?["user_id"]), 12));
        }

        return html.ToString();
    }

    /// <summary>The <c>/key/generate</c> or <c>/key/update</c> body of the posted key form (empty fields keep what is stored).</summary>
    public static JsonObject Body(IFormCollection form, bool withDuration)
        => UiForm.Body(form, withDuration ? ["key_alias", "budget_duration", "duration", "team_id", "user_id"] : ["key_alias", "budget_duration", "team_id", "user_id"], UiForm.Numbers, ["models"]);

    /// <summary>The edit page of one key (<c>?key=</c> its hash), read through <c>/key/info</c> so only its owners and admins see it.</summary>
    public static async Task EditPageAsync(HttpContext context, UiSession session)
    {
        var token = context.Request.Query["key"].ToString();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/key/info?key=" + UiForm.Q(token), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Edit key</h1><p><a href=\"").Append(Root).Append("/keys\">← all keys</a></p>");
        if (!result.Ok)
        {
            await WriteAsync(context, "Edit key", session, "keys", body.Append(Error(result.Error)).ToString(), result.Status);
            return;
        }

        var info = result.Body?["info"];
        body.Append("<p>Key <code>").Append(E(Str(info?["key_name"]))).Append("</code> · spend ").Append(E(Num(info?["spend"])))
            .Append(" · expires ").Append(E(Str(info?["expires"]) is { Length: > 0 } x ? x : "never")).Append("</p>")
            .Append("<form method=\"post\" action=\"").Append(Root).Append("/keys/update\" id=\"edit\">").Append(Token(context))
            .Append("<input type=\"hidden\" name=\"key\" value=\"").Append(E(token)).Append("\"><fieldset><legend>Limits</legend>")
            .Append(Fields(info, session)).Append("<br><button id=\"save-key\">Save</button></fieldset></form>")
            .Append("<p>Empty fields keep their stored value.</p>");
        await WriteAsync(context, "Edit key", session, "keys", body.ToString());
    }

    public static Task UpdateAsync(HttpContext context, UiSession? session)
    {
        var key = context.Request.Form["key"].ToString();
        var body = Body(context.Request.Form, withDuration: true);
        body["key"] = key;
        return UiForm.ChangeAsync(context, session!, "/key/update", body, "Key updated.", "/keys", "/keys/edit?key=" + UiForm.Q(key));
    }
}
