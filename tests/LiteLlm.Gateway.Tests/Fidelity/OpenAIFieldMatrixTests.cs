using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests.Fidelity;

/// <summary>
/// Every property of OpenAI's published Chat Completions request, answer and stream chunk, sent through the real gateway
/// to an OpenAI-compatible loopback upstream: what the client sends reaches the provider, what the provider answers reaches
/// the client (the same-protocol rule). Deliberate exceptions are the short table below.
/// </summary>
public sealed class OpenAIFieldMatrixTests
{
    /// <summary>Request fields that do not reach the provider as sent, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> RequestExceptions = new Dictionary<string, string>
    {
        ["model"] = "replaced by the deployment's model",
        ["stream_options"] = "`include_usage` is always true upstream (cost and budgets need usage); the client gets the usage chunk only if it asked; other fields pass",
        ["metadata"] = "LiteLLM's gateway-only `metadata`: recorded for callbacks and the spend record, never sent",
    };

    private const string StrictSchema = """
        {"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string Yaml(string address, string provider = "openai", string model = "up-model", string extra = "")
        => $"""
        model_list:
          - model_name: up
            litellm_params:
              model: {provider}/{model}
              api_base: {address}
              api_key: sk-upstream-secret{extra}
        router_settings:
          num_retries: 0
        """;

    [Fact]
    public async Task Request_EveryPropertyOfTheSpecReachesTheOpenAIUpstreamAsSent()
    {
        var spec = OpenApiSamples.Load();
        await using var upstream = await RecordingUpstream.StartAsync();
        var answer = spec.Sample(Schema(spec, "CreateChatCompletionResponse"), full: true)!.ToJsonString();
        upstream.Answer = _ => (200, "application/json", answer);
        await using var host = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address + "/v1"));

        var failures = new List<string>();
        var properties = spec.Properties("CreateChatCompletionRequest");
        Assert.True(properties.Count > 30, "the spec lists the request's properties");
        // Each property with its required parts only, then with every optional part it has (strict schemas, ...), plus
        // structured output with a strict JSON schema, which the first union branch (text) does not reach.
        var cases = properties.Where(p => p.Name is not ("model" or "messages" or "stream" or "stream_options")) // stream: below
            .SelectMany(p => new[] { (p.Name, spec.Sample(p.Schema, full: false)), (p.Name, spec.Sample(p.Schema, full: true)) })
            .Append(("response_format", JsonNode.Parse(StrictSchema)))
            .ToList();
        foreach (var (name, value) in cases)
        {
            var body = Baseline();
            body[name] = value;
            var sent = body.ToJsonString();
            var response = await host.PostAsync("/v1/chat/completions", sent);
            var text = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{name}: {(int)response.StatusCode} {text}");
                continue;
            }

            var received = JsonNode.Parse(upstream.Last.Body)!.AsObject();
            var expected = JsonNode.Parse(sent)!.AsObject();
            expected["model"] = "up-model";
            if (RequestExceptions.ContainsKey(name))
            {
                Assert.False(received.ContainsKey(name), $"{name} must not reach the provider");
                expected.Remove(name);
            }

            if (!JsonNode.DeepEquals(expected, received))
            {
                failures.Add($"{name}: sent {sent} but the upstream received {upstream.Last.Body}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Request_StreamOptionsPassWithUsageForced_AndGatewayOnlyFieldsStayInTheGateway()
    {
        var spec = OpenApiSamples.Load();
        await using var upstream = await RecordingUpstream.StartAsync();
        upstream.Answer = _ => (200, "text/event-stream", Sse(Chunk(spec, "stop"), """{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"""));
        await using var host = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address + "/v1"));

        var body = Baseline();
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = false, ["include_obfuscation"] = false };
        body["tags"] = new JsonArray("team-a");
        body["litellm_session_id"] = "s-1";
        body["litellm_trace_id"] = "t-1";
        body["mock_testing_fallbacks"] = false;
        body["disable_fallbacks"] = true;
        body["metadata"] = new JsonObject { ["purpose"] = "test" };
        body["user"] = "end-user-7";
        body["logprobs"] = true;
        var response = await host.PostAsync("/v1/chat/completions", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var received = upstream.Last.Json;
        Assert.True(received.GetProperty("stream").GetBoolean());
        Assert.True(received.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.False(received.GetProperty("stream_options").GetProperty("include_obfuscation").GetBoolean());
        foreach (var gatewayOnly in (string[])["tags", "litellm_session_id", "litellm_trace_id", "mock_testing_fallbacks", "disable_fallbacks", "metadata"])
        {
            Assert.False(received.TryGetProperty(gatewayOnly, out _), gatewayOnly + " must not reach the provider");
        }

        Assert.Equal("end-user-7", received.GetProperty("user").GetString());
        Assert.True(received.GetProperty("logprobs").GetBoolean());

        // The client did not ask for usage: the usage-only chunk the gateway asked for is not passed on.
        var events = GatewayHost.SseData(text).Where(d => !d.StartsWith(':')).ToList();
        Assert.Equal("[DONE]", events[^1]);
        Assert.DoesNotContain(events.SkipLast(1), e => JsonDocument.Parse(e).RootElement.TryGetProperty("usage", out var u) && u.ValueKind != JsonValueKind.Null);
    }

    [Fact]
    public async Task Response_EveryPropertyOfTheSpecReachesTheClient_EveryChoiceToo()
    {
        var spec = OpenApiSamples.Load();
        await using var upstream = await RecordingUpstream.StartAsync();
        var answer = spec.Sample(Schema(spec, "CreateChatCompletionResponse"), full: true)!.AsObject();
        var second = answer["choices"]![0]!.DeepClone();
        second["index"] = 1;
        answer["choices"]!.AsArray().Add(second);
        answer["id"] = "chatcmpl-upstream-1";
        upstream.Answer = _ => (200, "application/json", answer.ToJsonString());
        await using var host = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address + "/v1"));

        var body = Baseline();
        body["n"] = 2;
        var response = await host.PostAsync("/v1/chat/completions", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var received = JsonNode.Parse(text)!.AsObject();
        Assert.True(JsonNode.DeepEquals(answer, received), $"sent {answer.ToJsonString()}\nreceived {text}");
        Assert.Equal(2, upstream.Last.Json.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task StreamChunks_EveryPropertyOfTheSpecReachesTheClient()
    {
        var spec = OpenApiSamples.Load();
        await using var upstream = await RecordingUpstream.StartAsync();
        var first = Chunk(spec, null);
        var last = Chunk(spec, "stop");
        var usage = spec.Sample(Schema(spec, "CreateChatCompletionStreamResponse"), full: true)!.AsObject();
        usage["id"] = "chatcmpl-upstream-2";
        usage["choices"] = new JsonArray();
        upstream.Answer = _ => (200, "text/event-stream", Sse(first, last, usage.ToJsonString()));
        await using var host = await GatewayHost.StartAsync(yaml: Yaml(upstream.Address + "/v1"));

        var body = Baseline();
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        var response = await host.PostAsync("/v1/chat/completions", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var events = GatewayHost.SseData(text).Where(d => !d.StartsWith(':')).ToList();
        Assert.Equal(["[DONE]"], events.Skip(3));
        string[] sent = [first, last, usage.ToJsonString()];
        for (var i = 0; i < 3; i++)
        {
            var expected = JsonNode.Parse(sent[i])!.AsObject();
            var received = JsonNode.Parse(events[i])!.AsObject();
            Assert.True(JsonNode.DeepEquals(expected, received), $"chunk {i}: sent {sent[i]}\nreceived {events[i]}");
        }
    }

    internal static JsonObject Baseline() => new()
    {
        ["model"] = "up",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi", ["name"] = "ada" }),
    };

    internal static JsonElement Schema(OpenApiSamples spec, string component)
    {
        var json = new JsonObject { ["$ref"] = "#/components/schemas/" + component };
        return JsonDocument.Parse(json.ToJsonString()).RootElement;
    }

    private static string Chunk(OpenApiSamples spec, string? finish)
    {
        var chunk = spec.Sample(Schema(spec, "CreateChatCompletionStreamResponse"), full: true)!.AsObject();
        chunk["id"] = "chatcmpl-upstream-2";
        chunk.Remove("usage");
        var choice = chunk["choices"]![0]!.AsObject();
        choice["finish_reason"] = finish;
        return chunk.ToJsonString();
    }

    internal static string Sse(params string[] events)
    {
        var text = new StringBuilder();
        foreach (var data in events)
        {
            text.Append("data: ").Append(data).Append("\n\n");
        }

        return text.Append("data: [DONE]\n\n").ToString();
    }
}
