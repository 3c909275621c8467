using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests;

/// <summary>Generated bad requests: every one gets a 4xx with an OpenAI-shaped error (except the listed valid ones, which get 200), never a 5xx, and the gateway keeps serving.</summary>
public sealed class HostileRequestTests
{
    private static readonly string[] BadValues =
    [
        "null", "true", "-1", "0", "1e309", "99999999999999999999", "1.5", "\"\"", "\"x\"", "[]", "[null]", "[1,\"a\"]", "{}", "{\"a\":{}}", "\"\\ud800\"",
    ];

    private static readonly string[] Fields =
    [
        "model", "messages", "tools", "tool_choice", "response_format", "max_tokens", "max_completion_tokens", "temperature", "top_p", "n", "stop",
        "seed", "stream", "stream_options", "user", "metadata", "parallel_tool_calls", "frequency_penalty", "presence_penalty",
    ];

    private static readonly string[] BadMessages =
    [
        "[{}]", "[null]", "[1]", "[{\"role\":\"user\"}]", "[{\"role\":\"user\",\"content\":[1]}]", "[{\"role\":\"user\",\"content\":[{}]}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:nonsense\"}}]}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,@@@\"}}]}]",
        "[{\"role\":\"assistant\",\"tool_calls\":[{}]}]", "[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"not json\"}}]}]",
        "[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]", "[{\"role\":\"assistant\",\"tool_calls\":\"x\"}]",
        "[{\"role\":\"tool\",\"tool_call_id\":5,\"content\":\"x\"}]", "[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"%%\"}}]}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"f1\"}}]}]", "[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\"}]}]",
    ];

    /// <summary>
    /// The generated inputs that are valid requests after all (null for an optional field, temperature 0, seed -1, an
    /// empty stop list, …) or that the gateway deliberately accepts as LiteLLM does (an empty string to embed or to
    /// complete, unknown keys inside metadata and stream_options): exactly these answer 200, every other input a 4xx.
    /// A chat field row is named <c>field=value</c>, any other input <c>path body</c>.
    /// </summary>
    private static readonly HashSet<string> Accepted =
    [
        "tools=null", "tools=[]",
        "tool_choice=null",
        "response_format=null",
        "max_tokens=null",
        "max_completion_tokens=null",
        "temperature=null", "temperature=0", "temperature=1.5",
        "top_p=null", "top_p=0",
        "n=null",
        "stop=null", "stop=\"\"", "stop=\"x\"", "stop=[]",
        "seed=null", "seed=-1", "seed=0",
        "stream=null", "stream=true",
        "stream_options=null", "stream_options={}", "stream_options={\"a\":{}}",
        "user=null", "user=\"\"", "user=\"x\"",
        "metadata=null", "metadata={}", "metadata={\"a\":{}}",
        "parallel_tool_calls=null", "parallel_tool_calls=true",
        "frequency_penalty=null", "frequency_penalty=-1", "frequency_penalty=0", "frequency_penalty=1.5",
        "presence_penalty=null", "presence_penalty=-1", "presence_penalty=0", "presence_penalty=1.5",
        "/v1/embeddings {\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"encoding_format\":null}",
        "/v1/embeddings {\"model\":\"text-embedding-3-small\",\"input\":\"x\",\"dimensions\":null}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"system\":null,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        "/v1/embeddings {\"model\":\"text-embedding-3-small\",\"input\":\"\"}",
        "/v1/completions {\"model\":\"gpt-4o-mini\",\"prompt\":\"\"}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"system\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        "/v1/embeddings {\"model\":\"text-embedding-3-small\",\"input\":\"x\"}",
        "/v1/completions {\"model\":\"gpt-4o-mini\",\"prompt\":\"x\"}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"system\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[]}]}",
        "/v1/messages {\"model\":\"gpt-4o-mini\",\"max_tokens\":10,\"system\":[],\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
    ];

    private static readonly string[] BadTools =
    [
        "[{}]", "[null]", "[{\"type\":\"retrieval\"}]", "[{\"type\":\"function\"}]", "[{\"type\":\"function\",\"function\":{}}]",
        "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"x\"}}]", "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":[1]}}]",
    ];

    [Fact]
    public async Task OversizedHeaders_AreRefusedWith431_AndTheGatewayKeepsServing()
    {
        await using var host = await GatewayHost.StartAsync();
        foreach (var (name, size) in new[] { ("Authorization", 64 * 1024), ("x-custom", 64 * 1024), ("Cookie", 40 * 1024) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation(name, (name == "Authorization" ? "Bearer sk-" : "v") + new string('a', size));
            HttpStatusCode? status = null;
            try
            {
                using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                // Kestrel may close the connection instead of answering: refused either way.
            }

            Assert.True(status is null or HttpStatusCode.RequestHeaderFieldsTooLarge, $"{name}: {status}");
        }

        using var ok = await host.PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task GeneratedBadRequests_AreAll4xxWithOpenAiErrors()
    {
        await using var host = await GatewayHost.StartAsync(o => o.MaxRequestBodyBytes = 256 * 1024);
        var bodies = new List<(string Path, byte[] Body, string ContentType, string Label)>();
        void Add(string json, string path = "/v1/chat/completions", string? label = null) => bodies.Add((path, Encoding.UTF8.GetBytes(json), "application/json", label ?? $"{path} {json}"));

        foreach (var field in Fields)
        {
            foreach (var value in BadValues)
            {
                var json = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"{{field}}":{{value}}}""";
                if (field is "model" or "messages")
                {
                    json = field == "model" ? $$"""{"model":{{value}},"messages":[{"role":"user","content":"Hi"}]}""" : $$"""{"model":"gpt-4o-mini","messages":{{value}}}""";
                }

                Add(json, label: $"{field}={value}");
            }
        }

        foreach (var messages in BadMessages)
        {
            Add($$"""{"model":"gpt-4o-mini","messages":{{messages}}}""");
            Add($$"""{"model":"gpt-4o-mini","stream":true,"messages":{{messages}}}""");
        }

        foreach (var tools in BadTools)
        {
            Add($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"tools":{{tools}}}""");
        }

        var valid = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";
        for (var cut = 1; cut < valid.Length; cut += 3)
        {
            Add(valid[..cut]);
        }

        Add(string.Empty);
        Add(new string('[', 5000) + new string(']', 5000));
        Add("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 300 * 1024) + "\"}]}");
        var invalidUtf8 = Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"AB\"}]}");
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'A')] = 0xC3;
        invalidUtf8[Array.IndexOf(invalidUtf8, (byte)'B')] = 0x28;
        bodies.Add(("/v1/chat/completions", invalidUtf8, "application/json", "invalid UTF-8 content"));
        var invalidModel = Encoding.UTF8.GetBytes("{\"model\":\"AB\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        invalidModel[Array.IndexOf(invalidModel, (byte)'A')] = 0xFF;
        bodies.Add(("/v1/chat/completions", invalidModel, "application/json", "invalid UTF-8 model"));
        bodies.Add(("/v1/chat/completions", Encoding.UTF8.GetBytes(valid), "text/plain", "text/plain content type"));

        foreach (var input in BadValues.Concat(["[[1,2]]", "[1,2]", "[\"a\",null]"]))
        {
            Add($$"""{"model":"text-embedding-3-small","input":{{input}}}""", "/v1/embeddings");
            Add($$"""{"model":"text-embedding-3-small","input":"x","encoding_format":{{input}}}""", "/v1/embeddings");
            Add($$"""{"model":"text-embedding-3-small","input":"x","dimensions":{{input}}}""", "/v1/embeddings");
            Add($$"""{"model":"gpt-4o-mini","prompt":{{input}}}""", "/v1/completions");
            Add($$"""{"model":"gpt-4o-mini","max_tokens":{{input}},"messages":[{"role":"user","content":"Hi"}]}""", "/v1/messages");
            Add($$"""{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":{{input}}}]}""", "/v1/messages");
            Add($$"""{"model":"gpt-4o-mini","max_tokens":10,"system":{{input}},"messages":[{"role":"user","content":"Hi"}]}""", "/v1/messages");
        }

        var failures = new List<string>();
        var accepted = new List<string>();
        foreach (var (path, body, contentType, label) in bodies)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await host.Http.PostAsync(path, content, TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var status = (int)response.StatusCode;
            var shaped = false;
            try
            {
                var root = JsonDocument.Parse(text).RootElement;
                shaped = root.TryGetProperty("error", out var error) && error.TryGetProperty("message", out _) && error.TryGetProperty("type", out _);
            }
            catch (JsonException)
            {
            }

            if (status == 200)
            {
                accepted.Add(label);
            }
            else if (status is < 400 or >= 500 || !shaped)
            {
                failures.Add($"{status} {path} {Encoding.UTF8.GetString(body)[..Math.Min(160, body.Length)]} => {text[..Math.Min(200, text.Length)]}");
            }
        }

        Assert.True(bodies.Count >= 400, $"only {bodies.Count} requests generated");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(accepted.Except(Accepted));  // an invalid input answered 200
        Assert.Empty(Accepted.Except(accepted));  // a valid input was refused
        var (ok, _) = await host.PostJsonAsync("/v1/chat/completions", valid);
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
    }
}
