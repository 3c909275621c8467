using System.Text;
using System.Text.Json.Nodes;
using static LiteLlm.Gateway.Ui.UiEndpoints;
using static LiteLlm.Gateway.Ui.UiHtml;

namespace LiteLlm.Gateway.Ui;

/// <summary>
/// The teams pages over <c>/team/*</c>: the list (every team for admins and viewers, the caller's own teams otherwise),
/// create (admins), a team's limits and members (its admins and proxy admins change them; the API decides).
/// </summary>
internal static class UiTeams
{
    private static readonly string[] Strings = ["team_alias", "budget_duration"];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Root + "/teams", Page(ListAsync));
        endpoints.MapGet(Root + "/teams/edit", Page(EditAsync));
        endpoints.MapPost(Root + "/teams/create", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/team/new", UiForm.Body(c.Request.Form, ["team_id", .. Strings], UiForm.Numbers, ["models"]), "Team created.", "/teams")));
        endpoints.MapPost(Root + "/teams/update", Form((c, s) =>
        {
            var id = c.Request.Form["team_id"].ToString();
            var body = UiForm.Body(c.Request.Form, Strings, UiForm.Numbers, ["models"]);
            body["team_id"] = id;
            return UiForm.ChangeAsync(c, s!, "/team/update", body, "Team updated.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/teams/member_add", Form((c, s) =>
        {
            var id = c.Request.Form["team_id"].ToString();
            var member = UiForm.Body(c.Request.Form, ["user_id", "role"]);
            return UiForm.ChangeAsync(c, s!, "/team/member_add", new JsonObject { ["team_id"] = id, ["member"] = new JsonArray(member) }, "Member added.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/teams/member_delete", Form((c, s) =>
        {
            var id = c.Request.Form["team_id"].ToString();
            return UiForm.ChangeAsync(c, s!, "/team/member_delete", UiForm.Body(c.Request.Form, ["team_id", "user_id"]), "Member removed.", EditPage(id));
        }));
        endpoints.MapPost(Root + "/teams/delete", Form((c, s) =>
            UiForm.ChangeAsync(c, s!, "/team/delete", new JsonObject { ["team_ids"] = new JsonArray(c.Request.Form["team_id"].ToString()) }, "Team deleted (with its keys).", "/teams")));
    }

    private static string EditPage(string teamId) => "/teams/edit?team_id=" + UiForm.Q(teamId);

    private static async Task ListAsync(HttpContext context, UiSession session)
    {
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/team/list", context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Teams</h1>");
        if (!result.Ok)
        {
            body.Append(Error(result.Error));
        }

        if (session.IsAdmin)
        {
            body.Append("<form method=\"post\" action=\"").Append(Root).Append("/teams/create\" id=\"create\">").Append(Token(context))
                .Append("<fieldset><legend>New team</legend>").Append(Input("team_id", "Team id (empty = generated)", null, 14)).Append(Fields(null))
                .Append("<br><button id=\"create-team\">Create team</button></fieldset></form>");
        }

        body.Append("<div class=\"scroll\"><table id=\"teams\"><thead><tr><th>Team</th><th>Alias</th><th>Models</th><th>Spend</th><th>Budget</th><th>rpm / tpm</th><th>Members</th><th></th></tr></thead><tbody>");
        foreach (var t in result.Body as JsonArray ?? [])
        {
            var id = Str(t?["team_id"]);
            body.Append("<tr data-team=\"").Append(E(id)).Append("\"><td><code>").Append(E(id)).Append("</code></td><td>").Append(E(Str(t?["team_alias"])))
                .Append("</td><td>").Append(E(UiForm.List(t?["models"]))).Append("</td><td>").Append(E(Num(t?["spend"]))).Append("</td><td>").Append(E(UiForm.Budget(t)))
                .Append("</td><td>").Append(E(Num(t?["rpm_limit"]))).Append(" / ").Append(E(Num(t?["tpm_limit"]))).Append("</td><td>")
                .Append((t?["members_with_roles"] as JsonArray)?.Count ?? 0).Append("</td><td><a class=\"edit\" href=\"").Append(Root).Append(E(EditPage(id))).Append("\">Open</a></td></tr>");
        }

        await WriteAsync(context, "Teams", session, "teams", body.Append("</tbody></table></div>").ToString());
    }

    /// <summary>One team: its limits (a form) and its members (add with a role, remove), read through <c>/team/info</c>.</summary>
    private static async Task EditAsync(HttpContext context, UiSession session)
    {
        var id = context.Request.Query["team_id"].ToString();
        var result = await context.RequestServices.GetRequiredService<UiApi>().GetAsync(session.Key, "/team/info?team_id=" + UiForm.Q(id), context.RequestAborted);
        if (await SignedOutAsync(context, result))
        {
            return;
        }

        var body = new StringBuilder("<h1>Team ").Append(E(id)).Append("</h1><p><a href=\"").Append(Root).Append("/teams\">← all teams</a></p>");
        if (!result.Ok)
        {
            await WriteAsync(context, "Team", session, "teams", body.Append(Error(result.Error)).ToString(), result.Status);
            return;
        }

        var team = result.Body?["team_info"];
        var hidden = $"<input type=\"hidden\" name=\"team_id\" value=\"{E(id)}\">";
        body.Append("<p>Spend ").Append(E(Num(team?["spend"]))).Append("</p><form method=\"post\" action=\"").Append(Root).Append("/teams/update\" id=\"edit\">").Append(Token(context)).Append(hidden)
            .Append("<fieldset><legend>Limits</legend>").Append(Fields(team)).Append("<br><button id=\"save-team\">Save</button> <span>Empty fields keep their stored value.</span></fieldset></form>");
        body.Append("<h2>Members</h2><table id=\"members\"><thead><tr><th>User</th><th>E-mail</th><th>Role</th><th></th></tr></thead><tbody>");
        foreach (var m in team?["members_with_roles"] as JsonArray ?? [])
        {
            var user = Str(m?["user_id"]);
            body.Append("<tr data-user=\"").Append(E(user)).Append("\"><td>").Append(E(user)).Append("</td><td>").Append(E(Str(m?["user_email"]))).Append("</td><td class=\"role\">")
                .Append(E(Str(m?["role"]))).Append("</td><td>").Append(Button(context, "/teams/member_delete", "Remove", "danger", "remove", ("team_id", id), ("user_id", user))).Append("</td></tr>");
        }

        body.Append("</tbody></table><br><form method=\"post\" action=\"").Append(Root).Append("/teams/member_add\" id=\"add-member\">").Append(Token(context)).Append(hidden)
            .Append("<fieldset><legend>Add a member</legend>").Append(Input("user_id", "User id", null, 14)).Append(Select("role", "Role", ["user", "admin"], "user"))
            .Append("<button id=\"add\">Add</button> <span>(an unknown user id is created, as LiteLLM does)</span></fieldset></form>");
        var keys = result.Body?["keys"] as JsonArray ?? [];
        if (keys.Count > 0)
        {
            body.Append("<h2>Keys</h2><ul id=\"team-keys\">");
            foreach (var k in keys)
            {
                body.Append("<li><code>").Append(E(Str(k?["key_name"]))).Append("</code> ").Append(E(Str(k?["key_alias"]))).Append("</li>");
            }

            body.Append("</ul>");
        }

        if (session.IsAdmin)
        {
            body.Append("<p>").Append(Button(context, "/teams/delete", "Delete team and its keys", "danger", "delete", ("team_id", id))).Append("</p>");
        }

        await WriteAsync(context, "Team", session, "teams", body.ToString());
    }

    private static string Fields(JsonNode? team) => UiForm.LimitFields(team, "team_alias");
}
