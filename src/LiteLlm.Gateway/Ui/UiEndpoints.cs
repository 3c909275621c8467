using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The admin UI at <c>/ui</c>: server-rendered pages over the management API (docs/decisions/0011-admin-ui.md). Every page needs a session;
/// every form post needs the anti-forgery token; every change goes through the management endpoints with the signed-in
/// key, so the UI can do exactly what that key may do and nothing more.
/// </summary>
internal static class UiEndpoints
{
    public const string Root = "/ui";

    private const int KeysPerPage = 20;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.ServiceProvider.GetRequiredService<UiApi>().Attach(endpoints);
        endpoints.MapGet(Root, context => Redirect(context, "/dashboard"));
        endpoints.MapGet(Root + "/", context => Redirect(context, "/dashboard"));
        endpoints.MapGet(Root + "/app.css", context =>
        {
            context.Response.ContentType = "text/css; charset=utf-8";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return context.Response.WriteAsync(Css, context.RequestAborted);
        });
        endpoints.MapGet(Root + "/login", context => LoginPageAsync(context, null, 200));
        endpoints.MapPost(Root + "/login", Form(SignInAsync, needsSession: false));
        endpoints.MapPost(Root + "/logout", Form((context, _) =>
        {
            context.RequestServices.GetRequiredService<UiSessions>().SignOut(context);
            return Redirect(context, "/login");
        }));
        endpoints.MapGet(Root + "/keys", Page(KeysPageAsync));
        endpoints.MapPost(Root + "/keys/create", Form(CreateKeyAsync));
        endpoints.MapPost(Root + "/keys/action", Form(KeyActionAsync));
        endpoints.MapGet(Root + "/keys/edit", Page(UiKeyEdit.EditPageAsync));
        endpoints.MapPost(Root + "/keys/update", Form(UiKeyEdit.UpdateAsync));
        UiTeams.Map(endpoints);
        UiUsers.Map(endpoints);
        UiOrganizations.Map(endpoints);
        UiLogs.Map(endpoints);
        UiPlayground.Map(endpoints);
        endpoints.MapGet(Root + "/dashboard", Page(UiDashboard.DashboardAsync));
        UiModels.Map(endpoints);
    }

    /// <summary>A page that needs a session; without one (or when it expired) the browser goes to the sign-in page.</summary>
    public static RequestDelegate Page(Func<HttpContext, UiSession, Task> page) => context =>
    {
        var session = context.RequestServices.GetRequiredService<UiSessions>().Current(context);
        return session is null ? Redirect(context, "/login") : page(context, session);
    };

    /// <summary>A form post: refused with a 400 page unless its anti-forgery token is valid, then (usually) a session.</summary>
    public static RequestDelegate Form(Func<HttpContext, UiSession?, Task> handler, bool needsSession = true) => async context =>
    {
        var session = context.RequestServices.GetRequiredService<UiSessions>().Current(context);
        if (!await UiServices.ValidFormAsync(context))
        {
            await WriteAsync(context, "Refused", session, string.Empty,
                Error("This form was refused: its anti-forgery token is missing or invalid. Reload the page and try again."), 400);
            return;
        }

        if (needsSession && session is null)
        {
            await Redirect(context, "/login");
            return;
        }

        await handler(context, session);
    };

    public static Task Redirect(HttpContext context, string page)
    {
        UiHtml.Headers(context);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = Root + page;
        return Task.CompletedTask;
    }

    /// <summary>What a management call refused with: the sign-in page when the key stopped working, else a message.</summary>
    public static async Task<bool> SignedOutAsync(HttpContext context, UiApiResult result)
    {
        if (result.Status != 401)
        {
            return false;
        }

        context.RequestServices.GetRequiredService<UiSessions>().SignOut(context);
        await LoginPageAsync(context, "Your session's key is no longer accepted: " + result.Error, 401);
        return true;
    }

    private static Task LoginPageAsync(HttpContext context, string? error, int status)
    {
        var body = new StringBuilder("<div class=\"login\"><h1>LiteLlm gateway</h1>");
        if (error is not null)
        {
            body.Append(Error(error));
        }

        body.Append("<form method=\"post\" action=\"").Append(Root).Append("/login\" id=\"login\">").Append(Token(context))
            .Append("<fieldset><label>Master key or virtual key<br><input type=\"password\" name=\"key\" id=\"key\" autocomplete=\"off\" required size=\"40\"></label>")
            .Append("<br><button id=\"signin\">Sign in</button></fieldset></form>")
            .Append("<p>The key stays on the server; your browser keeps only a session cookie, which expires after ")
            .Append(UiSessions.IdleTimeout.TotalMinutes.ToString(CultureInfo.InvariantCulture)).Append(" idle minutes.</p></div>");
        return WriteAsync(context, "Sign in", null, string.Empty, body.ToString(), status);
    }

    private static async Task SignInAsync(HttpContext context, UiSession? _)
    {
        var key = context.Request.Form["key"].ToString().Trim();
        if (key.Length == 0)
        {
            await LoginPageAsync(context, "Enter a key.", 400);
            return;
        }

        var (caller, error) = await context.RequestServices.GetRequiredService<UiApi>().WhoAsync(key, context.RequestAborted);
        if (caller is null)
        {
            await LoginPageAsync(context, "Sign-in refused: " + error, 401);
            return;
        }

        var who = caller.IsMaster ? "master key" : caller.UserId ?? "key " + Auth.KeyHasher.DisplayName(key);
        context.RequestServices.GetRequiredService<UiSessions>().SignIn(context, key, who, caller.Role, caller.UserId);
        await Redirect(context, "/dashboard");
    }

    private static async Task KeysPageAsync(HttpContext context, UiSession session)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var q = context.Request.Query;
        var page = Math.Max(1, int.TryParse(q["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 1);
        var search = new StringBuilder();
        foreach (var name in new[] { "key_alias", "user_id", "team_id" })
        {
            if (q[name].ToString().Trim() is { Length: > 0 } value)
            {
                search.Append('&').Append(name).Append('=').Append(UiForm.Q(value));
            }
        }

        var result = await api.GetAsync(session.Key, $"/key/list?return_full_object=true&size={KeysPerPage}&page={page}{search}", context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Keys</h1>");
        if (session.NewSecret is { } secret)
        {
            body.Append("<p>The new key, shown this once (only its hash is stored):</p><div class=\"secret\" id=\"new-key\">").Append(E(secret)).Append("</div>");
            session.NewSecret = null;
        }

        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        body.Append(CreateForm(context, session));
        body.Append("<form method=\"get\" action=\"").Append(Root).Append("/keys\" id=\"search\">")
            .Append(Input("key_alias", "Alias", q["key_alias"], 16, "s-alias"))
            .Append(Input("user_id", "User", q["user_id"], 12, "s-user"))
            .Append(Input("team_id", "Team", q["team_id"], 12, "s-team"))
            .Append("<button class=\"plain\" id=\"search-keys\">Search</button></form>");
        var keys = result.Body?["keys"]?.AsArray() ?? [];
        body.Append("<div class=\"scroll\"><table id=\"keys\"><thead><tr><th>Key</th><th>Alias</th><th>User</th><th>Team</th><th>Models</th><th>Spend</th><th>Budget</th><th>rpm / tpm</th><th>Expires</th><th>State</th><th></th></tr></thead><tbody>");
        foreach (var k in keys)
        {
            var token = Str(k?["token"]);
            var blocked = k?["blocked"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
            body.Append("<tr data-alias=\"").Append(E(Str(k?["key_alias"]))).Append("\"><td><code>").Append(E(Str(k?["key_name"]))).Append("</code></td><td>").Append(E(Str(k?["key_alias"])))
                .Append("</td><td>").Append(E(Str(k?["user_id"]))).Append("</td><td>").Append(E(Str(k?["team_id"])))
                .Append("</td><td>").Append(E(UiForm.List(k?["models"]))).Append("</td><td>").Append(E(Num(k?["spend"])))
                .Append("</td><td>").Append(E(UiForm.Budget(k)))
                .Append("</td><td>").Append(E(Num(k?["rpm_limit"]))).Append(" / ").Append(E(Num(k?["tpm_limit"])))
                .Append("</td><td>").Append(E(Str(k?["expires"]))).Append("</td><td>").Append(blocked ? "<span class=\"blocked\">blocked</span>" : "active").Append("</td><td>")
                .Append("<a class=\"edit\" href=\"").Append(Root).Append("/keys/edit?key=").Append(UiForm.Q(token)).Append("\">Edit</a> ");
            if (session.IsAdmin)
            {
                body.Append(Action(context, token, blocked ? "unblock" : "block", blocked ? "Unblock" : "Block", "plain"));
            }

            body.Append(Action(context, token, "regenerate", "Regenerate", "plain")).Append(Action(context, token, "delete", "Delete", "danger")).Append("</td></tr>");
        }

        var total = result.Body?["total_count"]?.GetValue<int>() ?? 0;
        var pages = Math.Max(1, (int)Math.Ceiling(total / (double)KeysPerPage));
        body.Append("</tbody></table></div><p class=\"pager\">").Append(total.ToString(CultureInfo.InvariantCulture)).Append(" keys · page ")
            .Append(page.ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(pages.ToString(CultureInfo.InvariantCulture)).Append(' ');
        var a = search.ToString();
        if (page > 1)
        {
            body.Append("<a id=\"previous\" href=\"").Append(Root).Append("/keys?page=").Append((page - 1).ToString(CultureInfo.InvariantCulture)).Append(E(a)).Append("\">previous</a>");
        }

        if (page < pages)
        {
            body.Append("<a id=\"next\" href=\"").Append(Root).Append("/keys?page=").Append((page + 1).ToString(CultureInfo.InvariantCulture)).Append(E(a)).Append("\">next</a>");
        }

        body.Append("</p>");
        await WriteAsync(context, "Keys", session, "keys", body.ToString());
    }

    private static string CreateForm(HttpContext context, UiSession session)
    {
        var form = new StringBuilder("<form method=\"post\" action=\"").Append(Root).Append("/keys/create\" id=\"create\">").Append(Token(context))
            .Append("<fieldset><legend>New key</legend>").Append(UiKeyEdit.Fields(null, session)).Append("<br><button id=\"create-key\">Create key</button></fieldset></form>");
        return form.ToString();
    }

    /// <summary>A key's button; after it the browser returns to the same page of the same search.</summary>
    private static string Action(HttpContext context, string token, string op, string label, string css)
        => Button(context, "/keys/action", label, css, op, ("key", token), ("op", op), ("back", context.Request.QueryString.Value ?? string.Empty));

    private static async Task CreateKeyAsync(HttpContext context, UiSession? session)
    {
        var result = await UiForm.ChangeAsync(context, session!, "/key/generate", UiKeyEdit.Body(context.Request.Form, withDuration: true), "Key created.", "/keys");
        if (result is not null)
        {
            session!.NewSecret = Str(result.Body?["key"]);
        }
    }

    private static async Task KeyActionAsync(HttpContext context, UiSession? session)
    {
        var key = context.Request.Form["key"].ToString();
        var op = context.Request.Form["op"].ToString();
        var (path, body, done) = op switch
        {
            "block" => ("/key/block", new JsonObject { ["key"] = key }, "Key blocked."),
            "unblock" => ("/key/unblock", new JsonObject { ["key"] = key }, "Key unblocked."),
            "regenerate" => ("/key/regenerate", new JsonObject { ["key"] = key }, "Key regenerated: the old secret no longer works."),
            "delete" => ("/key/delete", new JsonObject { ["keys"] = new JsonArray(key) }, "Key deleted."),
            _ => (null, null, null),
        };
        if (path is null || key.Length == 0)
        {
            session!.Flash = "Unknown action.";
            await Redirect(context, "/keys");
            return;
        }

        // Only a query string is taken from the form, so the redirect stays on the keys page.
        var back = context.Request.Form["back"].ToString();
        var result = await UiForm.ChangeAsync(context, session!, path, body!, done!, "/keys" + (back.StartsWith('?') && back.All(c => c is > ' ' and < '\x7f') ? back : string.Empty));
        if (result is not null && op == "regenerate")
        {
            session!.NewSecret = Str(result.Body?["key"]);
        }
    }

    public static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;

    public static string Num(JsonNode? node) => node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? v.ToJsonString() : string.Empty;
}
