using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace LiteLlm.Gateway.Ui;

/// <summary>The UI's HTML: one layout, encoded text everywhere, forms that carry the anti-forgery token, no script.</summary>
internal static class UiHtml
{
    /// <summary>The stylesheet served at <c>/ui/app.css</c> (no external fonts or CDN: the UI works offline).</summary>
    public const string Css = """
        :root{--fg:#1c2430;--muted:#5b6878;--line:#d9dee5;--accent:#2457c5;--bad:#b3261e;--good:#1e7b34;--bg:#f6f7f9}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:center;padding:.6rem 1.2rem;background:#fff;border-bottom:1px solid var(--line)}
        header b{margin-right:1rem}header nav{display:flex;flex-wrap:wrap}header nav a{margin-right:1rem;color:var(--accent);text-decoration:none}header nav a.on{font-weight:600;text-decoration:underline}
        header form{margin-left:auto}main{max-width:1200px;margin:0 auto;padding:1rem 1.2rem}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);font-size:14px;vertical-align:top}
        th{color:var(--muted);font-weight:600}.scroll{overflow-x:auto}
        fieldset{border:1px solid var(--line);background:#fff;padding:.8rem;margin:0 0 1rem}
        label{display:inline-block;margin:0 .8rem .5rem 0}input,select,button{font:inherit;padding:.25rem .45rem}
        button{cursor:pointer;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:3px}
        button.plain{background:#fff;color:var(--accent)}button.danger{border-color:var(--bad);background:#fff;color:var(--bad)}
        .flash{padding:.6rem .8rem;margin-bottom:1rem;background:#eef4ff;border:1px solid #b9cdf5}
        .error{padding:.6rem .8rem;margin-bottom:1rem;background:#fdecea;border:1px solid #f0b4ae;color:var(--bad)}
        .secret{font-family:ui-monospace,monospace;font-size:15px;background:#fff8d6;padding:.6rem;border:1px solid #e5cf6d;word-break:break-all}
        .cards{display:flex;flex-wrap:wrap;gap:1rem;margin-bottom:1rem}.card{background:#fff;border:1px solid var(--line);padding:.6rem 1rem;min-width:10rem}
        .card span{display:block;color:var(--muted);font-size:13px}.card strong{font-size:22px}
        .blocked{color:var(--bad);font-weight:600}.pager a{margin-right:.8rem}.login{max-width:28rem;margin:4rem auto}
        form.inline{display:inline}.answer{white-space:pre-wrap;background:#fff;border:1px solid var(--line);padding:.8rem;min-height:3rem}
        textarea{font:inherit;width:100%;max-width:48rem}dl.detail{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.8rem;border:1px solid var(--line)}dl.detail dt{color:var(--muted)}dl.detail dd{margin:0;word-break:break-all}
        svg{background:#fff;border:1px solid var(--line);max-width:100%;height:auto}
        .narrow{display:none}.switch a{margin-right:.5rem}.switch a.on{font-weight:600;text-decoration:none;color:var(--fg)}
        @media (max-width:700px){.wide{display:none}.narrow{display:block}}
        @media (max-width:600px){main{padding:.6rem}th,td{font-size:13px}}
        """;

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    public static string Money(decimal value) => "$" + value.ToString(value < 1 ? "0.######" : "0.00##", CultureInfo.InvariantCulture);

    /// <summary>The hidden anti-forgery field for a form (sets the token's cookie on the response too).</summary>
    public static string Token(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{E(tokens.FormFieldName)}\" value=\"{E(tokens.RequestToken)}\">";
    }

    /// <summary>The pages in the header's navigation, in order.</summary>
    private static readonly (string Page, string Name)[] Nav =
        [("dashboard", "Dashboard"), ("keys", "Keys"), ("teams", "Teams"), ("organizations", "Organizations"), ("users", "Users"), ("logs", "Logs"), ("models", "Models"), ("playground", "Playground")];

    /// <summary>Writes a whole page with the security headers every UI answer carries.</summary>
    public static Task WriteAsync(HttpContext context, string title, UiSession? session, string active, string body, int status = 200)
    {
        var html = new StringBuilder(body.Length + 2048).Append(Top(context, title, session, active)).Append(body).Append(Bottom);
        Headers(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html.ToString(), context.RequestAborted);
    }

    /// <summary>The end of every page (after <see cref="Top"/> and the page's own HTML).</summary>
    public const string Bottom = "</main></body></html>";

    /// <summary>The start of a page up to its <c>main</c> element: the layout, the navigation and the one-time flash message.</summary>
    public static string Top(HttpContext context, string title, UiSession? session, string active)
    {
        var html = new StringBuilder(2048);
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · LiteLlm gateway</title><link rel=\"stylesheet\" href=\"").Append(UiEndpoints.Root).Append("/app.css\"></head><body>");
        if (session is not null)
        {
            html.Append("<header><b>LiteLlm gateway</b><nav>");
            foreach (var (page, name) in Nav)
            {
                html.Append("<a href=\"").Append(UiEndpoints.Root).Append('/').Append(page).Append('"').Append(page == active ? " class=\"on\"" : string.Empty).Append('>').Append(name).Append("</a>");
            }

            html.Append("</nav><span id=\"who\">").Append(E(session.Who)).Append(" (").Append(E(session.Role ?? "no role")).Append(")</span>")
                .Append("<form method=\"post\" action=\"").Append(UiEndpoints.Root).Append("/logout\">").Append(Token(context))
                .Append("<button class=\"plain\" id=\"signout\">Sign out</button></form></header>");
        }

        html.Append("<main>");
        if (session?.Flash is { } flash)
        {
            html.Append("<div class=\"flash\" id=\"flash\">").Append(E(flash)).Append("</div>");
            session.Flash = null;
        }

        return html.ToString();
    }

    /// <summary>A labelled text input (its id is its name).</summary>
    public static string Input(string name, string label, string? value = null, int size = 0, string? id = null)
        => $"<label>{E(label)} <input name=\"{name}\" id=\"{id ?? name}\" value=\"{E(value)}\"{(size > 0 ? $" size=\"{size}\"" : string.Empty)}></label>";

    /// <summary>A labelled select with <paramref name="selected"/> chosen (its id is its name).</summary>
    public static string Select(string name, string label, IEnumerable<string> options, string? selected)
    {
        var html = new StringBuilder($"<label>{E(label)} <select name=\"{name}\" id=\"{name}\">");
        foreach (var option in options)
        {
            html.Append("<option value=\"").Append(E(option)).Append('"').Append(option == selected ? " selected" : string.Empty).Append('>').Append(E(option)).Append("</option>");
        }

        return html.Append("</select></label>").ToString();
    }

    /// <summary>A one-button form posting <paramref name="fields"/> (hidden) to <paramref name="action"/>, with the anti-forgery token.</summary>
    public static string Button(HttpContext context, string action, string label, string css, string value, params (string Name, string Value)[] fields)
    {
        var html = new StringBuilder("<form method=\"post\" action=\"").Append(UiEndpoints.Root).Append(action).Append("\" class=\"inline\">").Append(Token(context));
        foreach (var (name, v) in fields)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(E(v)).Append("\">");
        }

        return html.Append("<button class=\"").Append(css).Append("\" name=\"do\" value=\"").Append(E(value)).Append("\">").Append(E(label)).Append("</button></form> ").ToString();
    }

    /// <summary>No script runs on these pages, nothing loads from elsewhere, no page is framed or cached.</summary>
    public static void Headers(HttpContext context)
    {
        var h = context.Response.Headers;
        h.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h.CacheControl = "no-store";
    }

    /// <summary>An error box.</summary>
    public static string Error(string message) => $"<div class=\"error\" id=\"error\">{E(message)}</div>";
}
