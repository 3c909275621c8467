using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Gateway.Tests.Ui;

/// <summary>The UI's switches, cookies, sessions and refusals over plain HTTP (no browser needed for these).</summary>
[Collection("Gateway load")]
public sealed partial class AdminUiHttpTests : IDisposable
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"gw-uihttp-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Ui_IsOffWithoutAMasterKey_AndWithUiFalse()
    {
        await using (var off = await GatewayHost.StartAsync(yaml: AdminUiBrowserTests.Yaml(_db, "  ui: false")))
        {
            using var response = await off.Http.GetAsync("/ui/login", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var open = await GatewayHost.StartAsync();
        using var none = await open.Http.GetAsync("/ui/login", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Session_IsAnHttpOnlyStrictCookie_ThatExpiresWhenIdle_AndEndsAtSignOut()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayHost.StartAsync(services: s => s.AddSingleton<TimeProvider>(time), yaml: AdminUiBrowserTests.Yaml(_db));
        using var client = Client(gateway.Address, out var cookies);

        // A sign-in without the form's anti-forgery token is refused even with the right key.
        using (var forged = await client.PostAsync("/ui/login", new FormUrlEncodedContent([new("key", AdminUiBrowserTests.Master)]), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.DoesNotContain(forged.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith("litellm_ui_session=", StringComparison.Ordinal));
        }

        using var signIn = await SignInAsync(client, AdminUiBrowserTests.Master);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("litellm_ui_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/ui", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminUiBrowserTests.Master, cookie, StringComparison.Ordinal);

        using (var keys = await client.GetAsync("/ui/keys", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
            Assert.Contains("default-src 'none'", keys.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        // 29 idle minutes keep the session; 31 more end it.
        time.Advance(TimeSpan.FromMinutes(29));
        using (var still = await client.GetAsync("/ui/keys", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(31));
        using (var expired = await client.GetAsync("/ui/keys", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.SeeOther, expired.StatusCode);
            Assert.Equal("/ui/login", expired.Headers.Location?.ToString());
        }

        // Sign out ends the session on the server: the old cookie, replayed, opens nothing.
        using var again = await SignInAsync(client, AdminUiBrowserTests.Master);
        var session = cookies.GetCookies(new Uri(gateway.Address, "/ui/"))["litellm_ui_session"]!.Value;
        var page = await client.GetStringAsync("/ui/keys", TestContext.Current.CancellationToken);
        using (var signOut = await client.PostAsync("/ui/logout", new FormUrlEncodedContent([new("__RequestVerificationToken", TokenIn(page))]), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        }

        cookies.Add(new Uri(gateway.Address, "/ui/"), new Cookie("litellm_ui_session", session, "/ui"));
        using var replayed = await client.GetAsync("/ui/keys", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.SeeOther, replayed.StatusCode);
    }

    public void Dispose() => File.Delete(_db);

    internal static HttpClient Client(Uri address, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
#pragma warning disable CA2000 // the client owns and disposes the handler
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = address };
#pragma warning restore CA2000
    }

    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string key)
    {
        var login = await client.GetStringAsync("/ui/login", TestContext.Current.CancellationToken);
        return await client.PostAsync("/ui/login", new FormUrlEncodedContent([new("__RequestVerificationToken", TokenIn(login)), new("key", key)]), TestContext.Current.CancellationToken);
    }

    internal static string TokenIn(string html) => WebUtility.HtmlDecode(Token().Match(html).Groups[1].Value);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
