using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace LiteLlm.Gateway.Ui;

/// <summary>One signed-in browser: the key it signed in with stays here, on the server; the browser holds only a random id.</summary>
internal sealed class UiSession
{
    public required string Id { get; init; }

    /// <summary>Gets the key the user signed in with (sent to the management API on their behalf; never to the browser).</summary>
    public required string Key { get; init; }

    public required string Who { get; init; }

    /// <summary>Gets the caller's role (<c>proxy_admin</c>, <c>internal_user</c>, …; null for a key without a user).</summary>
    public string? Role { get; init; }

    public string? UserId { get; init; }

    public required DateTimeOffset Created { get; init; }

    public DateTimeOffset LastSeen { get; set; }

    /// <summary>Gets or sets a message shown once on the next page (the outcome of a form post).</summary>
    public string? Flash { get; set; }

    /// <summary>Gets or sets a new key's secret, shown once on the next page and then forgotten.</summary>
    public string? NewSecret { get; set; }

    public bool ReadsAll => Role is Admin.Roles.ProxyAdmin or Admin.Roles.ProxyAdminViewer;

    public bool IsAdmin => Role is Admin.Roles.ProxyAdmin;
}

/// <summary>
/// Server-side sessions: an HttpOnly, SameSite=Strict cookie names a random 256-bit id; a session ends after
/// <see cref="IdleTimeout"/> without a page or <see cref="AbsoluteTimeout"/> after sign-in, whichever comes first.
/// </summary>
internal sealed class UiSessions(TimeProvider time)
{
    public const string CookieName = "litellm_ui_session";

    /// <summary>The most sessions held at once; signing in beyond it drops the oldest (memory stays bounded).</summary>
    public const int MaxSessions = 10_000;

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, UiSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Starts a session and sets its cookie.</summary>
    public UiSession SignIn(HttpContext context, string key, string who, string? role, string? userId)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        var session = new UiSession
        {
            Id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Key = key,
            Who = who,
            Role = role,
            UserId = userId,
            Created = now,
            LastSeen = now,
        };
        _sessions[session.Id] = session;
        context.Response.Cookies.Append(CookieName, session.Id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = UiEndpoints.Root,
            IsEssential = true,
        });
        return session;
    }

    /// <summary>Gets the live session of this request, or null (expired sessions are removed).</summary>
    public UiSession? Current(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var id) || id is null || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (Expired(session, now))
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    /// <summary>Ends this request's session and clears its cookie.</summary>
    public void SignOut(HttpContext context)
    {
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null)
        {
            _sessions.TryRemove(id, out _);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = UiEndpoints.Root, HttpOnly = true, SameSite = SameSiteMode.Strict });
    }

    private static bool Expired(UiSession session, DateTimeOffset now)
        => now - session.LastSeen > IdleTimeout || now - session.Created > AbsoluteTimeout;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, session) in _sessions)
        {
            if (Expired(session, now))
            {
                _sessions.TryRemove(id, out _);
            }
        }

        while (_sessions.Count >= MaxSessions)
        {
            var oldest = _sessions.Values.MinBy(s => s.LastSeen);
            if (oldest is null || !_sessions.TryRemove(oldest.Id, out _))
            {
                break;
            }
        }
    }
}
