using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Admin;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The users pages over <c>/user/*</c>: admins and viewers list every user (<c>/user/list</c>); anyone else sees only
/// themselves (<c>/user/info</c>), because that is all the API answers them. Admins create (with a role and, as
/// LiteLLM does, a first key shown once), edit and delete.
/// </summary>
internal static class UiUsers
{
    private const int PerPage = 25;

    private static readonly string[] UserRoles = [Roles.InternalUser, Roles.InternalUserViewer, Roles.ProxyAdminViewer, Roles.ProxyAdmin];

    private static readonly string[] Strings = ["user_email", "user_alias", "user_role", "budget_duration"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/users", Page(ListAsync));
        endpoints.MapGet(Root + "/users/edit", Page(EditAsync));
        endpoints.MapPost(Root + "/users/create", Form(CreateAsync));
        endpoints.MapPost(Root + "/users/update", Form((c, s) =>
        {
            var id = c.Request.Form["user_id"].ToString();
            var body = UiForm.Body(c.Request.Form, Strings, ["max_budget"], ["models"]);
            body["user_id"] = id;
            return UiForm.ChangeAsync(c, s!, "/user/update", body, "User updated.", "/users", "/users/edit?user_id=" + UiForm.Q(id));
        }));
        endpoints.MapPost(Root + "/users/delete", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/user/delete", new JsonObject { ["user_ids"] = new JsonArray(c.Request.Form["user_id"].ToString()) }, "User deleted (with their keys).", "/users")));
    }

    private static async Task CreateAsync(HttpContext context, UiSession? session)
    {
        var body = UiForm.Body(context.Request.Form, ["user_id", .. Strings], ["max_budget"], ["models"]);
        body["auto_create_key"] = context.Request.Form["auto_create_key"] == "yes";
        var result = await UiForm.ChangeAsync(context, session!, "/user/new", body, "User created.", "/users");
        if (result?.Body?["key"] is JsonValue key)
        {
            session!.NewSecret = Str(key);
        }
    }

    private static async Task ListAsync(HttpContext context, UiSession session)
    {
        var api = context.RequestServices.GetRequiredService<UiApi>();
        var page = Math.Max(1, int.TryParse(context.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 1);
        List<JsonNode?> users;
        UiApiResult result;
        long total;
        if (session.ReadsAll)
        {
            result = await api.GetAsync(session.Key, $"/user/list?page={page}&page_size={PerPage}", context.RequestAborted);
            users = [.. result.Body?["users"] as JsonArray ?? []];
            total = result.Body?["total"]?.GetValue<long>() ?? 0;
        }
        else
        {
            // /user/list is for admins and viewers; anyone else may read only themselves.
            result = await api.GetAsync(session.Key, "/user/info", context.RequestAborted);
            users = result.Body?["user_info"] is { } me ? [me] : [];
            total = users.Count;
        }

        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder(session.ReadsAll ? "<h1>Users</h1>" : "<h1>Your account</h1>");
        if (session.NewSecret is { } secret)
        {
            body.Append("<p>The user's first key, shown this once (only its hash is stored):</p><div class=\"secret\" id=\"new-key\">").Append(E(secret)).Append("</div>");
            session.NewSecret = null;
        }

        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        if (session.IsAdmin)
        {
            body.Append("<form method=\"post\" action=\"").Append(Root).Append("/users/create\" id=\"create\">").Append(Token(context))
                .Append("<fieldset><legend>New user</legend>").Append(Input("user_id", "User id (empty = generated)", null, 14)).Append(Fields(null))
                .Append(Select("auto_create_key", "Create a first key", ["yes", "no"], "yes"))
                .Append("<br><button id=\"create-user\">Create user</button></fieldset></form>");
        }

        body.Append("<div class=\"scroll\"><table id=\"users\"><thead><tr><th>User</th><th>E-mail</th><th>Alias</th><th>Role</th><th>Teams</th><th>Models</th><th>Spend</th><th>Budget</th><th></th></tr></thead><tbody>");
        foreach (var u in users)
        {
            var id = Str(u?["user_id"]);
            body.Append("<tr data-user=\"").Append(E(id)).Append("\"><td>").Append(E(id)).Append("</td><td>").Append(E(Str(u?["user_email"]))).Append("</td><td>").Append(E(Str(u?["user_alias"])))
                .Append("</td><td class=\"role\">").Append(E(Str(u?["user_role"]))).Append("</td><td>").Append(E(UiForm.List(u?["teams"]))).Append("</td><td>").Append(E(UiForm.List(u?["models"])))
                .Append("</td><td class=\"spend\">").Append(E(Num(u?["spend"]))).Append("</td><td>").Append(E(UiForm.Budget(u))).Append("</td><td>");
            if (session.IsAdmin)
            {
                body.Append("<a class=\"edit\" href=\"").Append(Root).Append("/users/edit?user_id=").Append(E(UiForm.Q(id))).Append("\">Edit</a> ")
                    .Append(Button(context, "/users/delete", "Delete", "danger", "delete", ("user_id", id)));
            }

            body.Append("</td></tr>");
        }

        body.Append("</tbody></table></div><p class=\"pager\">").Append(total.ToString(CultureInfo.InvariantCulture)).Append(" users ");
        if (page > 1)
        {
            body.Append("<a href=\"").Append(Root).Append("/users?page=").Append((page - 1).ToString(CultureInfo.InvariantCulture)).Append("\">previous</a>");
        }

        if (page * PerPage < total)
        {
            body.Append("<a id=\"next\" href=\"").Append(Root).Append("/users?page=").Append((page + 1).ToString(CultureInfo.InvariantCulture)).Append("\">next</a>");
        }

        await WriteAsync(context, "Users", session, "users", body.Append("</p>").ToString());
    }

    private static async Task EditAsync(HttpContext context, UiSession session)
    {
        var id = context.Request.Query["user_id"].ToString();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/user/info?user_id=" + UiForm.Q(id), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>User ").Append(E(id)).Append("</h1><p><a href=\"").Append(Root).Append("/users\">← all users</a></p>");
        if (!result.Ok)
        {
            await WriteAsync(context, "User", session, "users", body.Append(Error(result.Error)).ToString(), result.Status);
            return;
        }

        var user = result.Body?["user_info"];
        body.Append("<form method=\"post\" action=\"").Append(Root).Append("/users/update\" id=\"edit\">").Append(Token(context))
            .Append("<input type=\"hidden\" name=\"user_id\" value=\"").Append(E(id)).Append("\"><fieldset><legend>Settings</legend>").Append(Fields(user))
            .Append("<br><button id=\"save-user\">Save</button> <span>Empty fields keep their stored value.</span></fieldset></form><h2>Keys</h2><ul id=\"user-keys\">");
        foreach (var k in result.Body?["keys"] as JsonArray ?? [])
        {
            body.Append("<li><code>").Append(E(Str(k?["key_name"]))).Append("</code> ").Append(E(Str(k?["key_alias"]))).Append("</li>");
        }

        await WriteAsync(context, "User", session, "users", body.Append("</ul>").ToString());
    }

    private static string Fields(JsonNode? user) => new StringBuilder()
        .Append(Input("user_email", "E-mail", Str(user?["user_email"]), 18))
        .Append(Input("user_alias", "Alias", Str(user?["user_alias"]), 14))
        .Append(Select("user_role", "Role", UserRoles, user is null ? Roles.InternalUser : Str(user["user_role"])))
        .Append(Input("models", "Models (comma-separated; empty = all)", UiForm.List(user?["models"])))
        .Append(Input("max_budget", "Budget $", Num(user?["max_budget"]), 8))
        .Append(Input("budget_duration", "Budget resets every", Str(user?["budget_duration"]), 6)).ToString();
}
