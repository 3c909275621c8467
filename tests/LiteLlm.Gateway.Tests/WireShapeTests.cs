using System.Net;
using System.Text;
using System.Text.Json;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Tests;

/// <summary>Exact OpenAI shapes at the wire, OpenAI-shaped errors for bad input, headers, disconnects.</summary>
public sealed class WireShapeTests : IAsyncLifetime
{
    private const string Config = """
        model_list:
          - model_name: chat
            litellm_params: {model: mock/chat, mock_response: "Hi there."}
          - model_name: slow
            litellm_params: {model: mock/slow, mock_response: "late", mock_latency: 800}
        """;

    private readonly SlowClient _slow = new();
    private GatewayFixture _gateway = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
        => _gateway = await GatewayFixture.StartAsync(Config, [new Deployment { ModelGroup = "hang", Model = "custom/hang", Client = _slow }]);

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task Completion_HasEveryRequiredField()
    {
        using var response = await Post("/v1/chat/completions", """{"model":"chat","messages":[{"role":"user","content":"hi"}]}""");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("refusal").ValueKind);
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.True(json.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.True(response.Headers.Contains("x-litellm-call-id"));
        Assert.Equal("chat", response.Headers.GetValues("x-litellm-model-group").Single());
        Assert.True(response.Headers.Contains("x-litellm-deployment"));
        Assert.True(response.Headers.Contains("x-litellm-overhead-duration-ms"));
    }

    [Fact]
    public async Task Stream_IsChunksThenUsageThenDone()
    {
        using var response = await Post("/chat/completions", """{"model":"chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("Hi there.", string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : "")));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.True(chunks[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        Assert.Equal(1, chunks.Count(c => c.GetProperty("choices").EnumerateArray().Any(ch => ch.GetProperty("finish_reason").ValueKind == JsonValueKind.String)));
    }

    [Fact]
    public async Task SlowFirstToken_GetsKeepAliveComments()
    {
        using var response = await Post("/v1/chat/completions", """{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith(": ping", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", 400, "invalid_json")]
    [InlineData("""{"model":"chat"}""", 400, null)]
    [InlineData("""{"model":"chat","messages":[]}""", 400, null)]
    [InlineData("""{"model":"chat","messages":"hi"}""", 400, null)]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","messages":[{"role":"wizard","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","temperature":"hot","messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","temperature":9,"messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","max_tokens":-5,"messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","n":3,"messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","tools":[{"type":"function"}],"messages":[{"role":"user","content":"hi"}]}""", 400, null)]
    [InlineData("""{"model":"chat","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}""", 400, null)]
    [InlineData("""{"model":"nope","messages":[{"role":"user","content":"hi"}]}""", 404, "model_not_found")]
    [InlineData("[1,2,3]", 400, null)]
    public async Task BadInput_IsAnOpenAIShaped4xx(string body, int status, string? code)
    {
        using var response = await Post("/v1/chat/completions", body);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(status, (int)response.StatusCode);
        var error = json.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out var c));
        if (code is not null)
        {
            Assert.Equal(code, c.GetString());
        }
    }

    [Fact]
    public async Task WrongContentType_Is415()
    {
        using var response = await _gateway.Http.PostAsync("/v1/chat/completions", new StringContent("model=chat", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_IsAnOpenAIShaped404()
    {
        using var response = await _gateway.Http.GetAsync("/v1/nothing-here", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheUpstreamCall()
    {
        using var cts = new CancellationTokenSource();
        var call = _gateway.Http.PostAsync("/v1/chat/completions", Json("""{"model":"hang","messages":[{"role":"user","content":"hi"}]}"""), cts.Token);
        await _slow.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await _slow.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Fact]
    public async Task Health_Endpoints()
    {
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Http.GetAsync("/health/liveliness", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Http.GetAsync("/health/readiness", Ct)).StatusCode);
        using var info = await _gateway.Http.GetAsync("/v1/model/info", Ct);
        var data = JsonDocument.Parse(await info.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("data");
        Assert.Contains(data.EnumerateArray(), m => m.GetProperty("model_name").GetString() == "chat");
    }

    private Task<HttpResponseMessage> Post(string path, string body) => _gateway.Http.PostAsync(path, Json(body), Ct);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private sealed class SlowClient : IChatClient
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                throw;
            }

            return new ChatResponse();
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
