using System.Net;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests.Anthropic;

/// <summary>
/// A Claude-Code-shaped session through the real gateway to an Anthropic deployment (a loopback upstream that records what it
/// receives): three streamed turns with a cached system array, ten tools (the last cached), thinking with the interleaved-thinking
/// beta, a tool_use → tool_result round trip and a count_tokens call before each turn. The upstream must receive each body as the
/// client sent it (only <c>model</c> changes) with the client's protocol headers, and the client must receive every event.
/// </summary>
public sealed class ClaudeCodeConversationTests
{
    public const string UpstreamKey = "sk-ant-upstream-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string FixtureDirectory { get; } = FindFixtures();

    public static string Yaml(string upstream) => $$"""
        model_list:
          - model_name: claude-code
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "{{upstream}}", api_key: {{UpstreamKey}}}
        router_settings:
          num_retries: 0
        """;

    [Fact]
    public async Task ThreeStreamedTurns_ReachAnthropicAsSent_AndEveryEventComesBack()
    {
        await using var upstream = await RecordingAnthropicUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address));
        var conversation = JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "conversation.json")))!;
        var headers = conversation["headers"]!.AsObject().ToDictionary(h => h.Key, h => h.Value!.GetValue<string>());
        var upstreamModel = conversation["upstreamModel"]!.GetValue<string>();

        foreach (var turn in conversation["turns"]!.AsArray())
        {
            var transcript = File.ReadAllText(Path.Combine(FixtureDirectory, turn!["stream"]!.GetValue<string>()));
            upstream.Count(turn["inputTokens"]!.GetValue<long>());
            upstream.Sse(transcript);

            // count_tokens: Anthropic's own count, the body as sent.
            var countBody = turn["countTokens"]!;
            var (counted, count) = await gateway.PostJsonAsync("/v1/messages/count_tokens", countBody.ToJsonString(), r => Client(r, headers));
            Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
            Assert.Equal(turn["inputTokens"]!.GetValue<long>(), count.GetProperty("input_tokens").GetInt64());
            Assert.True(upstream.Requests.TryDequeue(out var countRequest));
            Assert.Equal("/v1/messages/count_tokens", countRequest.Path);
            AssertJsonEqual(WithModel(countBody, upstreamModel), countRequest.Json);
            AssertHeaders(headers, countRequest);

            // The turn itself, streamed.
            var body = turn["request"]!;
            using var response = await gateway.PostAsync("/v1/messages", body.ToJsonString(), r => Client(r, headers));
            var received = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(upstream.Requests.TryDequeue(out var sent));
            Assert.Equal("/v1/messages", sent.Path);
            AssertJsonEqual(WithModel(body, upstreamModel), sent.Json);
            AssertHeaders(headers, sent);

            var expected = Events(transcript);
            var got = Events(received);
            Assert.Equal(expected.Select(e => e.Name), got.Select(e => e.Name));
            for (var i = 0; i < expected.Count; i++)
            {
                AssertJsonEqual(expected[i].Data, got[i].Data);
            }

            Assert.Contains(got, e => e.Data["delta"]?["type"]?.GetValue<string>() == "signature_delta");
        }

        Assert.Empty(upstream.Requests);
    }

    internal static void Client(HttpRequestMessage request, IReadOnlyDictionary<string, string> headers)
    {
        request.Headers.Add("x-api-key", "sk-client-key-never-forwarded");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    internal static void AssertHeaders(IReadOnlyDictionary<string, string> sent, UpstreamRequest request)
    {
        foreach (var (name, value) in sent)
        {
            Assert.Equal(value, request.Header(name));
        }

        Assert.Equal(UpstreamKey, request.Header("x-api-key"));
        Assert.Null(request.Header("authorization"));
    }

    internal static JsonNode WithModel(JsonNode body, string model)
    {
        var copy = body.DeepClone();
        copy["model"] = model;
        return copy;
    }

    internal static void AssertJsonEqual(JsonNode expected, JsonNode actual)
        => Assert.True(JsonNode.DeepEquals(expected, actual), $"expected:\n{expected.ToJsonString()}\nactual:\n{actual.ToJsonString()}");

    /// <summary>The events of an SSE body: their names and parsed data (comments skipped).</summary>
    internal static List<(string Name, JsonNode Data)> Events(string sse)
    {
        var events = new List<(string, JsonNode)>();
        foreach (var frame in sse.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            string? data = null;
            foreach (var line in frame.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            if (name is not null && data is not null)
            {
                events.Add((name, JsonNode.Parse(data)!));
            }
        }

        return events;
    }

    private static string FindFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "clients", "fixtures", "claude-code");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/clients/fixtures/claude-code is missing from the checkout.");
    }
}
