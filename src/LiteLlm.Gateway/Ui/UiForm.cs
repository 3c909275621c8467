using System.Globalization;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Ui;

/// <summary>Turns a posted form into a management API body, and runs a change with the outcome as the next page's message.</summary>
internal static class UiForm
{
    /// <summary>The fields the key forms post (also the team and user forms, minus what those do not take).</summary>
    public static readonly string[] Numbers = ["max_budget", "rpm_limit", "tpm_limit"];

    /// <summary>
    /// The body for the API: each non-empty field of <paramref name="strings"/> as text, of <paramref name="numbers"/>
    /// as a number (or as typed when it is not one, so the API's 400 names the field), of <paramref name="lists"/> split
    /// on commas. Empty fields are left out: the API then keeps what is stored.
    /// </summary>
    public static JsonObject Body(IFormCollection form, string[] strings, string[]? numbers = null, string[]? lists = null)
    {
        var body = new JsonObject();
        foreach (var name in strings)
        {
            if (form[name].ToString().Trim() is { Length: > 0 } text)
            {
                body[name] = text;
            }
        }

        foreach (var name in numbers ?? [])
        {
            if (form[name].ToString().Trim() is { Length: > 0 } text)
            {
                body[name] = decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(text);
            }
        }

        foreach (var name in lists ?? [])
        {
            if (form[name].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } items)
            {
                body[name] = new JsonArray([.. items.Select(m => (JsonNode?)m)]);
            }
        }

        return body;
    }

    /// <summary>
    /// Posts <paramref name="body"/> to the management endpoint <paramref name="path"/> as the signed-in key, keeps
    /// <paramref name="done"/> (or the API's refusal) for the next page and sends the browser to <paramref name="page"/>.
    /// Returns the API's answer when it succeeded (null otherwise, also when the session ended).
    /// </summary>
    public static async Task<UiApiResult?> ChangeAsync(HttpContext context, UiSession session, string path, JsonObject body, string done, string page, string? failedPage = null)
    {
        var result = await context.RequestServices.GetRequiredService<UiApi>().PostAsync(session.Key, path, body, context.RequestAborted);
        if (await UiEndpoints.SignedOutAsync(context, result))
        {
            return null;
        }

        session.Flash = result.Ok ? done : "Refused: " + result.Error;
        await UiEndpoints.Redirect(context, result.Ok ? page : failedPage ?? page);
        return result.Ok ? result : null;
    }

    /// <summary>A comma-separated list from a JSON array of strings.</summary>
    public static string List(JsonNode? node) => string.Join(", ", (node as JsonArray ?? []).Select(UiEndpoints.Str));

    /// <summary>A budget and its reset period: <c>10 / 30d</c>.</summary>
    public static string Budget(JsonNode? row)
        => UiEndpoints.Num(row?["max_budget"]) + (UiEndpoints.Str(row?["budget_duration"]) is { Length: > 0 } d ? " / " + d : string.Empty);

    /// <summary>The limits form of a team or an organization: its alias, models, budget and its period, rpm and tpm.</summary>
    public static string LimitFields(JsonNode? row, string aliasField) => new System.Text.StringBuilder()
        .Append(UiHtml.Input(aliasField, "Alias", UiEndpoints.Str(row?[aliasField]), 14))
        .Append(UiHtml.Input("models", "Models (comma-separated; empty = all)", List(row?["models"])))
        .Append(UiHtml.Input("max_budget", "Budget $", UiEndpoints.Num(row?["max_budget"]), 8))
        .Append(UiHtml.Input("budget_duration", "Budget resets every (1d, 30d, 1mo)", UiEndpoints.Str(row?["budget_duration"]), 6))
        .Append(UiHtml.Input("rpm_limit", "rpm", UiEndpoints.Num(row?["rpm_limit"]), 6))
        .Append(UiHtml.Input("tpm_limit", "tpm", UiEndpoints.Num(row?["tpm_limit"]), 8)).ToString();

    /// <summary>A query-string value, URL-escaped.</summary>
    public static string Q(string value) => Uri.EscapeDataString(value);
}
