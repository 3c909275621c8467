using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>The calls key tests make: admin and chat requests with a bearer key, and their JSON.</summary>
internal static class KeyCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> Chat(HttpClient http, string? key, string model, string extra = "")
        => Send(http, HttpMethod.Post, "/v1/chat/completions", key, $$"""{"model":"{{model}}"{{extra}},"messages":[{"role":"user","content":"hi"}]}""");

    public static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? key, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    /// <summary>Creates a virtual key with the master key and returns it.</summary>
    public static async Task<string> GenerateKeyAsync(HttpClient http, string master, string body)
    {
        using var response = await Send(http, HttpMethod.Post, "/key/generate", master, body);
        var json = await Json(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("key").GetString()!;
    }

    /// <summary>Sends a management call that must answer 200, and returns its JSON.</summary>
    public static async Task<JsonElement> Ok(HttpClient http, HttpMethod method, string path, string key, string? body)
    {
        using var response = await Send(http, method, path, key, body);
        var json = await Json(response);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>Sends a call that must fail with <paramref name="status"/> naming <paramref name="param"/> (when given); returns the error message.</summary>
    public static async Task<string> Refused(HttpClient http, HttpMethod method, string path, string? body, System.Net.HttpStatusCode status, string? param, string key)
    {
        using var response = await Send(http, method, path, key, body);
        var json = await Json(response);
        Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode} {json}");
        var error = json.GetProperty("error");
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        return error.GetProperty("message").GetString()!;
    }

    /// <summary>Waits (up to 5 s) for something written off the request path in batches, such as spend.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> reached)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await reached())
            {
                return;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail("The figure written off the request path never arrived.");
    }

    /// <summary>Gets the cost the gateway reported for a successful response.</summary>
    public static decimal CostOf(HttpResponseMessage response)
        => decimal.Parse(response.Headers.GetValues("x-litellm-response-cost").Single(), System.Globalization.CultureInfo.InvariantCulture);
}
