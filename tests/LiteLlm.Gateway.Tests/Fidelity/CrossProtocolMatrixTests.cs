using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests.Fidelity;

/// <summary>
/// Every property of OpenAI's Chat Completions request sent through the gateway to a deployment of each other protocol
/// (a recording loopback upstream speaking it): each is mapped (the provider's body changes), passed, or refused with a
/// 400 naming it — and dropped with a record under drop_params. None is silently lost. The outcome table is
/// docs/fidelity.md, which this test writes (LITELLM_UPDATE_DOCS=1) or checks.
/// </summary>
public sealed class CrossProtocolMatrixTests
{
    // Fields that change nothing in the provider's body, on purpose, per protocol.
    private static readonly Dictionary<string, string> NoEffect = new()
    {
        ["stream_options"] = "only meaningful with stream; the gateway asks every provider for usage itself",
        ["metadata"] = "LiteLLM's gateway-only metadata (spend record, callbacks)",
        ["parallel_tool_calls"] = "without tools there is nothing to run in parallel",
        ["tool_choice"] = "without tools there is no tool to choose",
        ["n"] = "n = 1 is what every provider does",
    };

    // Values that make a field mean something (the spec's first enum value is often the default: reasoning "none", text format).
    private static readonly Dictionary<string, string> Overrides = new()
    {
        ["reasoning_effort"] = "\"low\"",
        ["n"] = "2",
        ["response_format"] = """{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}""",
        ["tools"] = """[{"type":"function","function":{"name":"lookup","description":"Looks up","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}]""",
    };

    // Fields another protocol has under the same name and meaning.
    private static readonly HashSet<(string, string)> SharedNames = [("Anthropic", "service_tier")];

    private static readonly (string Name, string Provider, string Model, string Answer)[] Protocols =
    [
        ("Anthropic", "anthropic", "claude-3-5-haiku-20241022",
            """{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}],"model":"claude-3-5-haiku-20241022","stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}"""),
        ("Gemini", "gemini", "gemini-2.0-flash",
            """{"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"modelVersion":"gemini-2.0-flash","responseId":"r1"}"""),
        ("Cohere", "cohere", "command-r",
            """{"id":"c1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"hi"}]},"usage":{"billed_units":{"input_tokens":3,"output_tokens":1},"tokens":{"input_tokens":3,"output_tokens":1}}}"""),
        ("Ollama", "ollama", "llama3.2",
            """{"model":"llama3.2","created_at":"2024-07-22T20:33:28Z","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":1}"""),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryOpenAIField_IsMappedPassedOrRefused_ForEveryOtherProtocol_AndTheDocSaysSo()
    {
        var spec = OpenApiSamples.Load();
        var fields = spec.Properties("CreateChatCompletionRequest").Where(p => p.Name is not ("model" or "messages" or "stream")).ToList();
        var table = new Dictionary<string, Dictionary<string, string>>();
        var failures = new List<string>();
        foreach (var (protocol, provider, model, answer) in Protocols)
        {
            await using var upstream = await RecordingUpstream.StartAsync();
            upstream.Answer = _ => (200, "application/json", answer);
            await using var host = await GatewayHost.StartAsync(yaml: OpenAIFieldMatrixTests.Yaml(upstream.Address, provider, model));
            var baseline = await SendAsync(host, upstream, OpenAIFieldMatrixTests.Baseline());
            Assert.True(baseline.Status == 200, $"{protocol} baseline: {baseline.Status} {baseline.Text}");
            foreach (var (name, schema) in fields)
            {
                var body = OpenAIFieldMatrixTests.Baseline();
                body[name] = Overrides.TryGetValue(name, out var special) ? JsonNode.Parse(special) : spec.Sample(schema, full: false);
                var outcome = await SendAsync(host, upstream, body);
                string cell;
                if (outcome.Status == 400 && Param(outcome.Text) == name)
                {
                    body["drop_params"] = true;
                    var dropped = await SendAsync(host, upstream, body);
                    cell = dropped.Status == 200 && dropped.Dropped?.Split(',').Contains(name) == true && JsonNode.DeepEquals(dropped.Upstream, baseline.Upstream)
                        ? "refused (dropped with drop_params)"
                        : Fail($"{protocol}/{name}: refused, but with drop_params got {dropped.Status} dropped='{dropped.Dropped}' {dropped.Text}");
                }
                else if (outcome.Status != 200)
                {
                    cell = Fail($"{protocol}/{name}: {outcome.Status} {outcome.Text}");
                }
                else if (outcome.Upstream is JsonObject sent && sent.ContainsKey(name) && !baseline.Upstream!.AsObject().ContainsKey(name)
                    && !LiteLlm.Providers.SupportedParameters.All.Contains(name))
                {
                    cell = SharedNames.Contains((protocol, name))
                        ? "passed (the provider's own field of that name)"
                        : Fail($"{protocol}/{name}: an OpenAI-only field sent as-is to a provider that does not speak OpenAI");
                }
                else if (!JsonNode.DeepEquals(outcome.Upstream, baseline.Upstream))
                {
                    cell = "mapped";
                }
                else
                {
                    cell = NoEffect.ContainsKey(name) ? "no effect" : Fail($"{protocol}/{name}: silently lost (the provider's body did not change)");
                }

                (table.TryGetValue(name, out var row) ? row : table[name] = [])[protocol] = cell;
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        FidelityDoc.Check(Render(fields.Select(f => f.Name).ToList(), table));

        string Fail(string message)
        {
            failures.Add(message);
            return "FAILS";
        }
    }

    private static string Render(List<string> fields, Dictionary<string, Dictionary<string, string>> table)
    {
        var text = new StringBuilder();
        text.Append("| field | OpenAI family | ").AppendJoin(" | ", Protocols.Select(p => p.Name)).Append(" |\n");
        text.Append("|---|---|").Append(string.Concat(Protocols.Select(_ => "---|"))).Append('\n');
        foreach (var field in fields)
        {
            var openai = OpenAIFieldMatrixTests.RequestExceptions.TryGetValue(field, out var why) ? "see exceptions" : "passed";
            text.Append("| `").Append(field).Append("` | ").Append(openai).Append(" | ")
                .AppendJoin(" | ", Protocols.Select(p => table[field][p.Name])).Append(" |\n");
        }

        return text.ToString();
    }

    private static string? Param(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("param").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<(int Status, string Text, JsonNode? Upstream, string? Dropped)> SendAsync(GatewayHost host, RecordingUpstream upstream, JsonObject body)
    {
        var before = upstream.Requests.Count;
        var response = await host.PostAsync("/v1/chat/completions", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync(Ct);
        var sent = upstream.Requests.Count > before ? JsonNode.Parse(upstream.Last.Body) : null;
        return ((int)response.StatusCode, text, sent, response.Headers.TryGetValues("x-litellm-dropped-params", out var d) ? string.Join(',', d) : null);
    }
}
