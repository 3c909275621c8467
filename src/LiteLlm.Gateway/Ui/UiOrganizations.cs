using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The organizations pages over <c>/organization/*</c>: the list (every organization for admins and viewers, the
/// caller's own otherwise), create (admins), an organization's limits (admins), members (its org_admins and proxy
/// admins change them; the API decides) and its teams.
/// </summary>
internal static class UiOrganizations
{
    private static readonly string[] Strings = ["organization_alias", "budget_duration"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/organizations", Page(ListAsync));
        endpoints.MapGet(Root + "/organizations/edit", Page(EditAsync));
        endpoints.MapPost(Root + "/organizations/create", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/organization/new", UiForm.Body(c.Request.Form, ["organization_id", .. Strings], UiForm.Numbers, ["models"]), "Organization created.", "/organizations")));
        endpoints.MapPost(Root + "/organizations/update", Form((c, s) =>
        {
            var id = c.Request.Form["organization_id"].ToString();
            var body = UiForm.Body(c.Request.Form, Strings, UiForm.Numbers, ["models"]);
            body["organization_id"] = id;
            return UiForm.ChangeAsync(c, s!, "/organization/update", body, "Organization updated.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/organizations/member_add", Form((c, s) =>
        {
            var id = c.Request.Form["organization_id"].ToString();
            var member = UiForm.Body(c.Request.Form, ["user_id", "role"]);
            return UiForm.ChangeAsync(c, s!, "/organization/member_add", new JsonObject { ["organization_id"] = id, ["member"] = new JsonArray(member) }, "Member added.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/organizations/member_delete", Form((c, s) =>
        {
            var id = c.Request.Form["organization_id"].ToString();
            return UiForm.ChangeAsync(c, s!, "/organization/member_delete", UiForm.Body(c.Request.Form, ["organization_id", "user_id"]), "Member removed.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/organizations/delete", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/organization/delete", new JsonObject { ["organization_ids"] = new JsonArray(c.Request.Form["organization_id"].ToString()) }, "Organization deleted (its teams stay, outside any organization).", "/organizations")));
    }

    private static string EditPage(string id) => "/organizations/edit?organization_id=" + UiForm.Q(id);

    private static async Task ListAsync(HttpContext context, UiSession session)
    {
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/organization/list", context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Organizations</h1>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        if (session.IsAdmin)
        {
            body.Append("<form method=\"post\" action=\"").Append(Root).Append("/organizations/create\" id=\"create\">").Append(Token(context))
                .Append("<fieldset><legend>New organization</legend>").Append(Input("organization_id", "Organization id (empty = generated)", null, 14)).Append(Fields(null))
                .Append("<br><button id=\"create-org\">Create organization</button></fieldset></form>");
        }

        body.Append("<div class=\"scroll\"><table id=\"orgs\"><thead><tr><th>Organization</th><th>Alias</th><th>Models</th><th>Spend</th><th>Budget</th><th>rpm / tpm</th><th>Members</th><th>Teams</th><th></th></tr></thead><tbody>");
        foreach (var o in result.Body as JsonArray ?? [])
        {
            var id = Str(o?["organization_id"]);
            body.Append("<tr data-org=\"").Append(E(id)).Append("\"><td><code>").Append(E(id)).Append("</code></td><td>").Append(E(Str(o?["organization_alias"])))
                .Append("</td><td>").Append(E(UiForm.List(o?["models"]))).Append("</td><td>").Append(E(Num(o?["spend"]))).Append("</td><td>").Append(E(UiForm.Budget(o)))
                .Append("</td><td>").Append(E(Num(o?["rpm_limit"]))).Append(" / ").Append(E(Num(o?["tpm_limit"]))).Append("</td><td>")
                .Append((o?["members"] as JsonArray)?.Count ?? 0).Append("</td><td>").Append((o?["teams"] as JsonArray)?.Count ?? 0)
                .Append("</td><td><a class=\"edit\" href=\"").Append(Root).Append(E(EditPage(id))).Append("\">Open</a></td></tr>");
        }

        await WriteAsync(context, "Organizations", session, "organizations", body.Append("</tbody></table></div>").ToString());
    }

    /// <summary>One organization: its limits (a form), its members (add with an organization role, remove) and its teams.</summary>
    private static async Task EditAsync(HttpContext context, UiSession session)
    {
        var id = context.Request.Query["organization_id"].ToString();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/organization/info?organization_id=" + UiForm.Q(id), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Organization ").Append(E(id)).Append("</h1><p><a href=\"").Append(Root).Append("/organizations\">← all organizations</a></p>");
        if (!result.Ok)
        {
            await WriteAsync(context, "Organization", session, "organizations", body.Append(Error(result.Error)).ToString(), result.Status);
            return;
        }

        var org = result.Body;
        var hidden = $"<input type=\"hidden\" name=\"organization_id\" value=\"{E(id)}\">";
        body.Append("<p>Spend ").Append(E(Num(org?["spend"]))).Append("</p><form method=\"post\" action=\"").Append(Root).Append("/organizations/update\" id=\"edit\">").Append(Token(context)).Append(hidden)
            .Append("<fieldset><legend>Limits (teams in it must fit inside them)</legend>").Append(Fields(org)).Append("<br><button id=\"save-org\">Save</button> <span>Empty fields keep their stored value.</span></fieldset></form>");
        body.Append("<h2>Members</h2><table id=\"members\"><thead><tr><th>User</th><th>E-mail</th><th>Role</th><th></th></tr></thead><tbody>");
        foreach (var m in org?["members"] as JsonArray ?? [])
        {
            var user = Str(m?["user_id"]);
            body.Append("<tr data-user=\"").Append(E(user)).Append("\"><td>").Append(E(user)).Append("</td><td>").Append(E(Str(m?["user_email"]))).Append("</td><td class=\"role\">")
                .Append(E(Str(m?["user_role"]))).Append("</td><td>").Append(Button(context, "/organizations/member_delete", "Remove", "danger", "remove", ("organization_id", id), ("user_id", user))).Append("</td></tr>");
        }

        body.Append("</tbody></table><br><form method=\"post\" action=\"").Append(Root).Append("/organizations/member_add\" id=\"add-member\">").Append(Token(context)).Append(hidden)
            .Append("<fieldset><legend>Add a member</legend>").Append(Input("user_id", "User id", null, 14)).Append(Select("role", "Role", ["internal_user", "internal_user_viewer", "org_admin"], "internal_user"))
            .Append("<button id=\"add\">Add</button> <span>(an unknown user id is created, as LiteLLM does)</span></fieldset></form>");
        body.Append("<h2>Teams</h2><ul id=\"org-teams\">");
        foreach (var t in org?["teams"] as JsonArray ?? [])
        {
            var team = Str(t?["team_id"]);
            body.Append("<li><a href=\"").Append(Root).Append("/teams/edit?team_id=").Append(E(UiForm.Q(team))).Append("\">").Append(E(team)).Append("</a> ").Append(E(Str(t?["team_alias"]))).Append("</li>");
        }

        body.Append("</ul><p>A team joins an organization when it is created or updated with its <code>organization_id</code> (management API).</p>");
        if (session.IsAdmin)
        {
            body.Append("<p>").Append(Button(context, "/organizations/delete", "Delete organization", "danger", "delete", ("organization_id", id))).Append("</p>");
        }

        await WriteAsync(context, "Organization", session, "organizations", body.ToString());
    }

    private static string Fields(JsonNode? org) => UiForm.LimitFields(org, "organization_alias");
}
