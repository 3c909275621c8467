using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests;

/// <summary>
/// 1,022 generated invalid requests (invalid JSON, wrong types, missing fields, huge or deep
/// bodies, invalid UTF-8, unknown models, malformed tools, absurd limits, wrong content types): every
/// one is a 4xx with an OpenAI-shaped error, none a 5xx, and the gateway is healthy afterwards.
/// </summary>
[Collection("Gateway load")]
public sealed class HostileInputTests : IAsyncLifetime
{
    private const string Config = """
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: "ok"}
        general_settings:
          max_request_size_mb: 1
        """;

    private const string Valid = """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""";
    private GatewayHost _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await GatewayHost.StartAsync(yaml: Config);

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task ThousandInvalidRequests_AreAll4xxWithOpenAIErrors()
    {
        var cases = Generate(new Random(20261123)).ToList();
        Assert.Equal(1022, cases.Count); // docs/reliability.md quotes this figure; the seed makes it exact
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = TestContext.Current.CancellationToken }, async (c, ct) =>
        {
            using var content = new ByteArrayContent(c.Body);
            content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            HttpResponseMessage response;
            try
            {
                response = await _gateway.Http.PostAsync(c.Path, content, ct);
            }
            catch (HttpRequestException) when (c.Name == "oversize body")
            {
                return; // Kestrel answers 413 and closes before the client finishes sending: a refusal either way
            }

            using var disposeResponse = response;
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(ct);
            if (status is < 400 or >= 500)
            {
                failures.Add($"{c.Name}: {status} {Truncate(body)}");
                return;
            }

            try
            {
                var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
                _ = error.GetProperty("message").GetString() ?? throw new FormatException("no message");
                _ = error.GetProperty("type");
                _ = error.GetProperty("param");
                _ = error.GetProperty("code");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                failures.Add($"{c.Name}: {status} not OpenAI-shaped: {Truncate(body)}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} failed:\n" + string.Join('\n', failures.Take(20)));
        using var health = await _gateway.Http.GetAsync("/health/liveliness", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var still = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(Valid, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    private static IEnumerable<Case> Generate(Random random)
    {
        var validBytes = Encoding.UTF8.GetBytes(Valid);

        // 1. Truncated and corrupted JSON.
        for (var i = 1; i < validBytes.Length; i++)
        {
            yield return new Case($"truncated at {i}", validBytes[..i]);
        }

        for (var i = 0; i < 450; i++)
        {
            var bytes = (byte[])validBytes.Clone();
            bytes[random.Next(bytes.Length)] = (byte)"{}[]\",:x\\ "[random.Next(10)];
            bytes[random.Next(bytes.Length)] = (byte)"{}[]\",:x\\ "[random.Next(10)];
            if (IsValidRequest(bytes))
            {
                continue;
            }

            yield return new Case($"corrupted #{i}", bytes);
        }

        // 2. Wrong types and absurd values for every field.
        JsonNode?[] wrong = [null, 42, -1, 1e308, "text", true, new JsonArray(), new JsonObject(), new JsonArray(1, 2), JsonNode.Parse("""{"a":1}""")];
        static bool Num(JsonElement e, double min, double max, bool integer = false)
            => e.ValueKind == JsonValueKind.Number && e.GetDouble() is var d && d >= min && d <= max && (!integer || d == Math.Floor(d));
        var fields = new Dictionary<string, Func<JsonElement, bool>>
        {
            ["model"] = e => e.ValueKind == JsonValueKind.String && e.GetString() == "chat",
            ["messages"] = _ => false,
            ["temperature"] = e => e.ValueKind == JsonValueKind.Null || Num(e, 0, 2),
            ["top_p"] = e => e.ValueKind == JsonValueKind.Null || Num(e, 0, 1),
            ["max_tokens"] = e => e.ValueKind == JsonValueKind.Null || Num(e, 1, 10_000_000, integer: true),
            ["n"] = e => e.ValueKind == JsonValueKind.Null || Num(e, 1, 128, integer: true), // OpenAI-family upstreams answer n choices
            ["stream"] = e => e.ValueKind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False,
            ["stop"] = e => e.ValueKind is JsonValueKind.Null or JsonValueKind.String || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() <= 4 && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)),
            ["seed"] = e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out _)),
            ["tools"] = e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 0),
            ["tool_choice"] = e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.String && e.GetString() is "auto" or "none" or "required"),
            ["response_format"] = e => e.ValueKind == JsonValueKind.Null,
            ["parallel_tool_calls"] = e => e.ValueKind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False,
            ["frequency_penalty"] = e => e.ValueKind == JsonValueKind.Null || Num(e, -2, 2),
        };
        foreach (var (field, isValid) in fields)
        {
            foreach (var value in wrong.Concat([-1e9, 1e9, 3.5, -0.5, "", "auto", JsonNode.Parse("[\"a\",\"b\",\"c\",\"d\",\"e\"]"), JsonNode.Parse("""[{"type":"function"}]"""), JsonNode.Parse("""{"type":"nope"}""")]))
            {
                if (isValid(JsonDocument.Parse(value?.ToJsonString() ?? "null").RootElement))
                {
                    continue;
                }

                var request = JsonNode.Parse(Valid)!.AsObject();
                request[field] = value?.DeepClone();
                yield return new Case($"{field} = {value?.ToJsonString() ?? "null"}", Encoding.UTF8.GetBytes(request.ToJsonString()));
            }
        }

        // 3. Broken messages.
        string[] badMessages =
        [
            """[]""", """[1]""", """["hi"]""", """[{}]""", """[{"role":"wizard","content":"x"}]""", """[{"role":5,"content":"x"}]""",
            """[{"role":"user","content":5}]""", """[{"role":"user","content":[{"type":"video","url":"x"}]}]""", """[{"role":"user","content":[{"text":"no type"}]}]""",
            """[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]""", """[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:nonsense"}}]}]""",
            """[{"role":"tool","content":"x"}]""", """[{"role":"assistant","tool_calls":[{"id":"c"}]}]""", """[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{oops"}}]}]""",
            """[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]""", """{"role":"user"}""", "\"hi\"", "null",
        ];
        for (var i = 0; i < 12; i++)
        {
            foreach (var messages in badMessages)
            {
                yield return new Case($"messages {messages} #{i}", Encoding.UTF8.GetBytes($$"""{"model":"chat","temperature":{{i / 10.0}},"messages":{{messages}}}"""));
            }
        }

        // 4. Malformed tools and tool choices.
        string[] badTools = ["""[{"type":"function"}]""", """[{"function":{"description":"no name"}}]""", """[{"type":"function","function":{"name":""}}]""", "\"tools\"", """[null]"""];
        foreach (var tools in badTools)
        {
            yield return new Case($"tools {tools}", Encoding.UTF8.GetBytes($$"""{"model":"chat","tools":{{tools}},"messages":[{"role":"user","content":"hi"}]}"""));
        }

        yield return new Case("tool_choice names a missing tool", Encoding.UTF8.GetBytes("""{"model":"chat","tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}},"messages":[{"role":"user","content":"hi"}]}"""));

        // 5. Unknown models, missing fields, non-objects.
        for (var i = 0; i < 40; i++)
        {
            yield return new Case($"unknown model #{i}", Encoding.UTF8.GetBytes($$"""{"model":"no-such-model-{{i}}","messages":[{"role":"user","content":"hi"}]}"""));
        }

        foreach (var body in new[] { "{}", """{"messages":[{"role":"user","content":"hi"}]}""", """{"model":"chat"}""", "[]", "42", "\"text\"", "null", "true" })
        {
            yield return new Case("shape " + body, Encoding.UTF8.GetBytes(body));
        }

        // 6. Deep nesting, invalid UTF-8, oversize bodies, wrong content types, empty bodies.
        yield return new Case("deep nesting", Encoding.UTF8.GetBytes("""{"model":"chat","messages":[{"role":"user","content":"hi"}],"x":""" + new string('[', 5000) + new string(']', 5000) + "}"));
        yield return new Case("invalid UTF-8", [.. Encoding.UTF8.GetBytes("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\""), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"}]}")]);
        yield return new Case("oversize body", Encoding.UTF8.GetBytes("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 2 * 1024 * 1024) + "\"}]}"));
        yield return new Case("empty body", []);
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml" })
        {
            yield return new Case("content type " + type, validBytes, type);
        }

        // 7. The same kinds of garbage at the embeddings endpoint.
        foreach (var body in new[] { "{", "{}", """{"model":"chat"}""", """{"model":"chat","input":5}""", """{"model":"chat","input":[]}""", """{"model":"chat","input":[[1,2]]}""", """{"model":"chat","input":"x","encoding_format":"hex"}""", """{"model":"nope","input":"x"}""" })
        {
            yield return new Case("embeddings " + body, Encoding.UTF8.GetBytes(body), Path: "/v1/embeddings");
        }
    }

    private static bool IsValidRequest(byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body) as JsonObject;
            return node?["model"]?.GetValue<string>() == "chat" && node["messages"] is JsonArray { Count: > 0 } m && m[0]?["role"]?.GetValue<string>() == "user";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "…" : s;

    private sealed record Case(string Name, byte[] Body, string ContentType = "application/json", string Path = "/v1/chat/completions");
}
