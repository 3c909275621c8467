using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests;

/// <summary>Exact OpenAI JSON and SSE shapes, errors and headers, over raw HTTP.</summary>
public sealed class WireTests
{
    private const string Hi = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_HasTheSpecShapeWithNullLogprobsAndRefusal()
    {
        await using var host = await GatewayHost.StartAsync();
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", Hi);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.True(body.GetProperty("created").GetInt64() > 1_700_000_000);
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("Hello there, general Kenobi", message.GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("refusal").ValueKind);
        Assert.False(message.TryGetProperty("tool_calls", out _));
        var usage = body.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64(), usage.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task Chat_WithoutV1Prefix_IsServedToo()
    {
        await using var host = await GatewayHost.StartAsync();
        var (response, body) = await host.PostJsonAsync("/chat/completions", Hi);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Stream_IsRoleChunkDeltasFinishChunkUsageChunkThenDone()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hi"}]}""");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var raw = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("event:", raw, StringComparison.Ordinal);
        var data = GatewayHost.SseData(raw);

        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToList();
        var id = chunks[0].GetProperty("id").GetString();
        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString());
            Assert.Equal(id, c.GetProperty("id").GetString());
            Assert.Equal("gpt-4o-mini", c.GetProperty("model").GetString());
        });

        var first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(string.Empty, first.GetProperty("delta").GetProperty("content").GetString());

        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.True(usageChunk.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);

        var finish = chunks[^2].GetProperty("choices")[0];
        Assert.Equal("stop", finish.GetProperty("finish_reason").GetString());
        Assert.Empty(finish.GetProperty("delta").EnumerateObject());

        var contentChunks = chunks[..^1];
        Assert.All(contentChunks, c =>
        {
            var choice = c.GetProperty("choices")[0];
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
            Assert.True(choice.TryGetProperty("finish_reason", out _));
            Assert.False(c.TryGetProperty("usage", out _));
        });
        var text = string.Concat(contentChunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta")).Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()));
        Assert.Equal("Hello there, general Kenobi", text);
        Assert.All(chunks[1..^2], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
    }

    [Fact]
    public async Task Stream_WithoutIncludeUsage_HasNoUsageChunk()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        var data = GatewayHost.SseData(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("[DONE]", data[^1]);
        Assert.All(data[..^1], d => Assert.NotEqual(0, JsonDocument.Parse(d).RootElement.GetProperty("choices").GetArrayLength()));
        Assert.Equal("stop", JsonDocument.Parse(data[^2]).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Stream_ToolCallDeltas_CarryIndexIdTypeNameAndArguments()
    {
        await using var host = await GatewayHost.StartAsync();
        var response = await host.PostAsync("/v1/chat/completions", """{"model":"weather","stream":true,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"Weather?"}]}""");
        var chunks = GatewayHost.SseData(await response.Content.ReadAsStringAsync(Ct))[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToList();
        var calls = chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta")).Where(d => d.TryGetProperty("tool_calls", out _)).Select(d => d.GetProperty("tool_calls")[0]).ToList();

        Assert.Equal(2, calls.Count);
        Assert.Equal(0, calls[0].GetProperty("index").GetInt32());
        Assert.Equal("call_weather_1", calls[0].GetProperty("id").GetString());
        Assert.Equal("function", calls[0].GetProperty("type").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(calls[0].GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal(1, calls[1].GetProperty("index").GetInt32());
        Assert.Equal("tool_calls", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Chat_ToolCalls_HaveNullContentAndStringArguments()
    {
        await using var host = await GatewayHost.StartAsync();
        var (_, body) = await host.PostJsonAsync("/v1/chat/completions", """{"model":"weather","tool_choice":"auto","tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":[{"role":"user","content":"Weather?"}]}""");
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var call = message.GetProperty("tool_calls")[0];
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.String, call.GetProperty("function").GetProperty("arguments").ValueKind);
        Assert.Equal("""{"city":"Paris","unit":"c"}""", call.GetProperty("function").GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData("{not json", "invalid_json", null)]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"temperature":"hot"}""", "invalid_json", "temperature")]
    [InlineData("""{"model":"gpt-4o-mini","messages":"hello"}""", "invalid_json", "messages")]
    [InlineData("""{"messages":[{"role":"user","content":"Hi"}]}""", null, "model")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[]}""", null, "messages")]
    [InlineData("""{"model":"gpt-4o-mini","n":0,"messages":[{"role":"user","content":"Hi"}]}""", null, "n")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"wizard","content":"Hi"}]}""", null, "messages[0].role")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":42}]}""", null, "messages[0].content")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]}""", null, "messages[0].content[0].image_url.url")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"tool","content":"x"}]}""", null, "messages[0].tool_call_id")]
    [InlineData("""{"model":"gpt-4o-mini","stop":5,"messages":[{"role":"user","content":"Hi"}]}""", null, "stop")]
    [InlineData("""{"model":"gpt-4o-mini","tool_choice":"sometimes","messages":[{"role":"user","content":"Hi"}]}""", null, "tool_choice")]
    [InlineData("""{"model":"gpt-4o-mini","response_format":{"type":"yaml"},"messages":[{"role":"user","content":"Hi"}]}""", null, "response_format.type")]
    [InlineData("""{"model":"gpt-4o-mini","api_base":"http://evil.example","messages":[{"role":"user","content":"Hi"}]}""", null, "api_base")]
    [InlineData("""[1,2,3]""", "invalid_json", null)]
    public async Task BadRequests_Are400sInOpenAiShape(string json, string? code, string? param)
    {
        await using var host = await GatewayHost.StartAsync();
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(param, error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : error.GetProperty("param").GetString());
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task UnknownModel_Is404ModelNotFound_OnEveryEndpoint()
    {
        await using var host = await GatewayHost.StartAsync();
        foreach (var (path, json) in new[]
        {
            ("/v1/chat/completions", """{"model":"gpt-5-imaginary","messages":[{"role":"user","content":"Hi"}]}"""),
            ("/v1/chat/completions", """{"model":"gpt-5-imaginary","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
            ("/v1/embeddings", """{"model":"gpt-5-imaginary","input":"x"}"""),
            ("/v1/completions", """{"model":"gpt-5-imaginary","prompt":"x"}"""),
        })
        {
            var (response, body) = await host.PostJsonAsync(path, json);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("model_not_found", body.GetProperty("error").GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task UnknownRoute_IsAnOpenAiShaped404()
    {
        await using var host = await GatewayHost.StartAsync();
        var (response, body) = await host.PostJsonAsync("/v1/not/a/route", "{}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413()
    {
        await using var host = await GatewayHost.StartAsync(o => o.MaxRequestBodyBytes = 1024);
        var big = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"X"}]}""".Replace("X", new string('x', 4096), StringComparison.Ordinal);
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Headers_NameCallGroupDeploymentCacheFallbacksAndOverhead()
    {
        await using var host = await GatewayHost.StartAsync();
        var (response, _) = await host.PostJsonAsync("/v1/chat/completions", Hi);
        string H(string name) => Assert.Single(response.Headers.GetValues(name));

        Assert.StartsWith("chatcmpl-", H("x-litellm-call-id"), StringComparison.Ordinal);
        Assert.Equal("gpt-4o-mini", H("x-litellm-model-group"));
        Assert.Equal("false", H("x-litellm-cache-hit"));
        Assert.Equal("0", H("x-litellm-attempted-fallbacks"));
        var overhead = double.Parse(H("x-litellm-overhead-duration-ms"), CultureInfo.InvariantCulture);
        var total = double.Parse(H("x-litellm-response-duration-ms"), CultureInfo.InvariantCulture);
        Assert.InRange(overhead, 0, total);

        var modelInfo = JsonDocument.Parse(await host.Http.GetStringAsync("/model/info", Ct)).RootElement;
        var ids = modelInfo.GetProperty("data").EnumerateArray().Where(d => d.GetProperty("model_name").GetString() == "gpt-4o-mini").Select(d => d.GetProperty("model_info").GetProperty("id").GetString());
        Assert.Equal(Assert.Single(ids), H("x-litellm-deployment"));
        var second = await host.PostAsync("/v1/chat/completions", Hi);
        Assert.NotEqual(H("x-litellm-call-id"), Assert.Single(second.Headers.GetValues("x-litellm-call-id")));
    }

    [Fact]
    public async Task Request_PartsImagesAndUnknownFields_ReachTheModel()
    {
        await using var host = await GatewayHost.StartAsync();
        var png = Convert.ToBase64String([137, 80, 78, 71, 13, 10, 26, 10]);
        var json = """
            {"model":"mock","mock_response":"scripted per request","seed":7,"stop":["\n\n"],"max_completion_tokens":50,"user":"end-user-9",
             "messages":[{"role":"developer","content":"be brief"},{"role":"user","content":[{"type":"text","text":"what is"},{"type":"image_url","image_url":{"url":"data:image/png;base64,PNG"}}]}]}
            """.Replace("PNG", png, StringComparison.Ordinal);
        var (response, body) = await host.PostJsonAsync("/v1/chat/completions", json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("scripted per request", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Embeddings_FloatAndBase64_AreTheSameLittleEndianVector()
    {
        await using var host = await GatewayHost.StartAsync();
        var (_, floats) = await host.PostJsonAsync("/embeddings", """{"model":"text-embedding-3-small","input":["one","two"]}""");
        var (_, b64) = await host.PostJsonAsync("/embeddings", """{"model":"text-embedding-3-small","input":["one","two"],"encoding_format":"base64"}""");

        Assert.Equal("list", floats.GetProperty("object").GetString());
        Assert.Equal(2, floats.GetProperty("data").GetArrayLength());
        var item = floats.GetProperty("data")[1];
        Assert.Equal("embedding", item.GetProperty("object").GetString());
        Assert.Equal(1, item.GetProperty("index").GetInt32());
        var expected = item.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var bytes = Convert.FromBase64String(b64.GetProperty("data")[1].GetProperty("embedding").GetString()!);
        var decoded = Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();
        Assert.Equal(expected, decoded);
        Assert.True(floats.GetProperty("usage").GetProperty("prompt_tokens").GetInt64() >= 0);
    }

    [Fact]
    public async Task Completions_LegacyShapeAndStream()
    {
        await using var host = await GatewayHost.StartAsync();
        var (_, body) = await host.PostJsonAsync("/v1/completions", """{"model":"gpt-4o-mini","prompt":"Say hi"}""");
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("Hello there, general Kenobi", body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("choices")[0].GetProperty("logprobs").ValueKind);

        var stream = await host.PostAsync("/v1/completions", """{"model":"gpt-4o-mini","prompt":"Say hi","stream":true}""");
        var data = GatewayHost.SseData(await stream.Content.ReadAsStringAsync(Ct));
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal("Hello there, general Kenobi", string.Concat(data[..^1].Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices")[0].GetProperty("text").GetString())));
    }
}
