using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LiteLlm.MockUpstream;

namespace LiteLlm.Gateway.Tests;

/// <summary>
/// Every fault of the fault-injecting upstream (a real loopback server), through the gateway, streaming and not:
/// with nothing to fall back to the client gets the OpenAI-shaped error of the fault's kind; with a healthy deployment
/// in the group the router retries onto it; with a fallback group the call is answered there; never an unhandled
/// exception, and no connection or request is left behind.
/// </summary>
[Collection("Gateway load")]
public sealed class UpstreamFaultTests : IAsyncLifetime
{
    private WebApplication _upstream = null!;
    private GatewayHost _gateway = null!;
    private GatewayHost _retrying = null!;
    private int _upstreamPort;

    public async ValueTask InitializeAsync()
    {
        _upstream = await MockUpstreamServer.StartAsync(new MockOptions { Chunks = 5 });
        var address = MockUpstreamServer.AddressOf(_upstream);
        _upstreamPort = new Uri(address).Port;
        string Deployment(string name, string model, int order = 0)
            => $"  - model_name: {name}\n    litellm_params: {{model: openai/{model}, api_base: {address}/v1, api_key: sk-upstream, timeout: 1.5{(order > 0 ? $", order: {order}" : "")}}}\n";

        // One gateway without retries, where each fault's deployment is alone in its group and falls back to a healthy group.
        var alone = new StringBuilder("model_list:\n").Append(Deployment("healthy", "mock-model"));
        var fallbacks = new StringBuilder();
        foreach (var fault in Faults.All)
        {
            alone.Append(Deployment("alone-" + fault, "fault-" + fault));
            fallbacks.Append(CultureInfo.InvariantCulture, $"    - {{alone-{fault}: [healthy]}}\n");
        }

        alone.Append("router_settings: {num_retries: 0, stream_timeout: 1.5, allowed_fails: 1000}\nlitellm_settings:\n  fallbacks:\n").Append(fallbacks);
        _gateway = await GatewayHost.StartAsync(yaml: alone.ToString());

        // One with retries, where each fault's deployment is tried first beside a healthy one.
        var retried = new StringBuilder("model_list:\n");
        foreach (var fault in Faults.All)
        {
            retried.Append(Deployment("retried-" + fault, "fault-" + fault, order: 1)).Append(Deployment("retried-" + fault, "mock-model", order: 2));
        }

        retried.Append("router_settings: {num_retries: 2, retry_after: 0, stream_timeout: 1.5, allowed_fails: 1000}\n");
        _retrying = await GatewayHost.StartAsync(yaml: retried.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _retrying.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string, int, bool> Expected => new()
    {
        // fault, status without fallback, whether a stream fails after its first chunk (then it is 200 with an error event)
        { "429", 429, false },
        { "500", 500, false },
        { "502", 502, false },
        { "503", 503, false },
        { "529", 503, false },
        { "slow-first-byte", 504, false },
        { "reset-mid-body", 502, false },
        { "reset-before-first-chunk", 502, false },
        { "reset-after-first-chunk", 503, true },
        { "malformed-json", 502, false }, // an answer that cannot be read is the upstream's fault: a bad gateway answer
        { "malformed-sse", 502, false },
        { "no-terminator", 503, true },
        { "mid-stream-error", 503, true },
        { "context-window", 400, false },
        { "bad-key", 401, false },
    };

    /// <summary>
    /// The exact status of a fault that belongs to the other mode (a stream fault answering a non-streaming call, a body
    /// fault answering a stream): the mock upstream sends the same bytes either way, so each has one right answer.
    /// </summary>
    private static readonly Dictionary<(string Fault, bool Stream), int> OtherModeStatus = new()
    {
        [("malformed-sse", false)] = 502,            // SSE bytes where JSON was expected: an unreadable answer is a bad gateway answer
        [("no-terminator", false)] = 502,
        [("mid-stream-error", false)] = 503,         // the error event inside the body is still the provider's error
        [("reset-before-first-chunk", false)] = 502, // connection reset: api_connection_error
        [("reset-after-first-chunk", false)] = 502,
        [("malformed-json", true)] = 502,            // a JSON body cut short where SSE was expected: the stream ended early
        [("reset-mid-body", true)] = 502,
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task WithoutAFallback_TheClientGetsTheFaultsOpenAiError(string fault, int status, bool streamFailsLate)
    {
        _ = streamFailsLate;
        using var response = await ChatAsync("alone-" + fault, stream: false, fallbacks: false);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (OtherModeStatus.TryGetValue((fault, false), out var otherStatus))
        {
            // Stream faults answering a non-streaming call: one exact error each, OpenAI-shaped.
            Assert.True((int)response.StatusCode == otherStatus, $"{fault}: {(int)response.StatusCode} {body}");
            AssertOpenAiError(body);
            return;
        }

        Assert.True((int)response.StatusCode == status, $"{fault}: {(int)response.StatusCode} {body}");
        AssertOpenAiError(body);
        if (fault == "429")
        {
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public async Task Streaming_WithoutAFallback_ErrorsBeforeTheFirstChunkAreResponses_AfterItAreErrorEvents(string fault, int status, bool streamFailsLate)
    {
        using var response = await ChatAsync("alone-" + fault, stream: true, fallbacks: false);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (OtherModeStatus.TryGetValue((fault, true), out var otherStatus))
        {
            // Body faults answering a stream: they fail before the first chunk, so the error is the response.
            Assert.True((int)response.StatusCode == otherStatus, $"{fault}: {(int)response.StatusCode} {body.ReplaceLineEndings("|")}");
            AssertOpenAiError(body);
            return;
        }

        if (!streamFailsLate)
        {
            Assert.True((int)response.StatusCode == status, $"{fault}: {(int)response.StatusCode} {body.ReplaceLineEndings("|")} {response.Headers}".ReplaceLineEndings(" "));
            AssertOpenAiError(body);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = GatewayHost.SseData(body);
        Assert.Contains(events, e => e.StartsWith("{\"id\"", StringComparison.Ordinal)); // chunks were forwarded first
        AssertOpenAiError(events.Last(e => e != "[DONE]"));
        Assert.DoesNotContain("[DONE]", events); // a failed stream does not claim to be complete
    }

    [Theory]
    [InlineData("429")]
    [InlineData("500")]
    [InlineData("502")]
    [InlineData("503")]
    [InlineData("529")]
    [InlineData("slow-first-byte")]
    [InlineData("reset-mid-body")]
    [InlineData("malformed-json")]
    public async Task BesideAHealthyDeployment_TheRouterRetriesOntoIt(string fault)
    {
        foreach (var stream in new[] { false, true })
        {
            using var response = await ChatAsync("retried-" + fault, stream, fallbacks: false);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{fault} stream={stream}: {(int)response.StatusCode} {body}");
            Assert.Contains(stream ? "word" : "Hello from the mock upstream", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("429")]
    [InlineData("503")]
    [InlineData("529")]
    [InlineData("slow-first-byte")]
    [InlineData("reset-before-first-chunk")]
    [InlineData("malformed-sse")]
    public async Task WithAFallbackGroup_TheCallIsAnsweredThere(string fault)
    {
        foreach (var stream in new[] { false, true })
        {
            if (!stream && fault is "reset-before-first-chunk" or "malformed-sse")
            {
                continue; // stream-only faults
            }

            using var response = await ChatAsync("alone-" + fault, stream, fallbacks: true);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{fault} stream={stream}: {(int)response.StatusCode} {body}");
            Assert.Contains(stream ? "word" : "Hello from the mock upstream", body, StringComparison.Ordinal);
            if (!stream)
            {
                // (A stream's headers may have left with a keep-alive comment before the fallback was taken.)
                Assert.NotEqual("0", response.Headers.GetValues("x-litellm-attempted-fallbacks").Single());
            }
        }
    }

    [Fact]
    public async Task AfterEveryFault_NoRequestOrUpstreamConnectionIsLeftBehind()
    {
        var baseline = -1;
        for (var round = 0; round < 2; round++)
        {
            foreach (var fault in Faults.All)
            {
                foreach (var stream in new[] { false, true })
                {
                    using var response = await ChatAsync("alone-" + fault, stream, fallbacks: false);
                    _ = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                }
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
            var open = EstablishedConnectionsTo(_upstreamPort);
            baseline = baseline < 0 ? open : baseline;
            Assert.True(open <= baseline + 4, $"round {round}: {open} connections to the upstream, {baseline} after the first round");
        }

        var metrics = await _gateway.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var inFlight = metrics.Split('\n').Single(l => l.StartsWith("litellm_gateway_in_flight_requests", StringComparison.Ordinal) && !l.StartsWith('#'));
        Assert.EndsWith(" 0", inFlight, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> ChatAsync(string model, bool stream, bool fallbacks)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = model,
            ["stream"] = stream,
            ["messages"] = new[] { new { role = "user", content = "hi" } },
        });
        if (!fallbacks)
        {
            json = json[..^1] + ",\"fallbacks\":[]}"; // a per-request list replaces the configured one: none
        }

        return (model.StartsWith("retried-", StringComparison.Ordinal) ? _retrying : _gateway).PostAsync("/v1/chat/completions", json);
    }

    private static void AssertOpenAiError(string body)
    {
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _), body);
        Assert.DoesNotContain("sk-upstream", body, StringComparison.Ordinal);
    }

    /// <summary>Counts ESTABLISHED TCP connections to a loopback port (from /proc/net/tcp).</summary>
    private static int EstablishedConnectionsTo(int port)
    {
        var hex = port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[2].EndsWith(":" + hex, StringComparison.Ordinal) && f[3] == "01");
    }
}
