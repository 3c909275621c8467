using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LiteLlm.MockUpstream;

/// <summary>Answers OpenAI requests with fixed bodies (pre-encoded once) or with the fault asked for.</summary>
internal sealed class MockResponder
{
    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-mock","object":"chat.completion","created":1727346182,"model":"mock-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the mock upstream.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}""");

    private static readonly byte[] Embeddings = Encoding.UTF8.GetBytes(
        """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2,0.3,0.4]}],"model":"mock-embed","usage":{"prompt_tokens":3,"total_tokens":3}}""");

    private static readonly byte[] First = Chunk("""{"role":"assistant","content":""}""", null);
    private static readonly byte[] Word = Chunk("""{"content":"word "}""", null);
    private static readonly byte[] Last = Chunk("{}", "stop");
    private static readonly byte[] Usage = Encoding.UTF8.GetBytes("""data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1727346182,"model":"mock-model","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":10,"total_tokens":22}}""" + "\n\n");
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly MockOptions _options;

    public MockResponder(MockOptions options) => _options = options;

    public async Task ChatAsync(HttpContext context)
    {
        var (model, stream) = await ReadRequestAsync(context);
        var fault = context.Request.Headers["x-mock-fault"].FirstOrDefault() ?? (model?.StartsWith("fault-", StringComparison.Ordinal) == true ? model[6..] : null);
        var delay = int.TryParse(context.Request.Headers["x-mock-delay-ms"].FirstOrDefault(), CultureInfo.InvariantCulture, out var d) ? d : _options.DelayMs;
        var ct = context.RequestAborted;
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }

        if (fault is not null && await WriteFaultAsync(context, fault, stream, ct))
        {
            return;
        }

        if (!stream)
        {
            await WriteAsync(context, 200, "application/json", Completion, ct);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var body = context.Response.Body;
        await body.WriteAsync(First, ct);
        await body.FlushAsync(ct);
        for (var i = 0; i < _options.Chunks; i++)
        {
            await body.WriteAsync(Word, ct);
            await body.FlushAsync(ct);
        }

        await body.WriteAsync(Last, ct);
        await body.WriteAsync(Usage, ct);
        await body.WriteAsync(Done, ct);
    }

    public Task EmbeddingsAsync(HttpContext context) => WriteAsync(context, 200, "application/json", Embeddings, context.RequestAborted);

    private async Task<bool> WriteFaultAsync(HttpContext context, string fault, bool stream, CancellationToken ct)
    {
        var body = context.Response.Body;
        switch (fault)
        {
            case "429":
                context.Response.Headers.RetryAfter = "1";
                await WriteAsync(context, 429, "application/json", Error("Rate limit reached for mock-model. Please try again in 1s.", "requests", "rate_limit_exceeded"), ct);
                return true;
            case "500" or "502" or "503" or "529":
                await WriteAsync(context, int.Parse(fault, CultureInfo.InvariantCulture), "application/json", Error("The server had an error processing your request.", "server_error", null), ct);
                return true;
            case "context-window":
                await WriteAsync(context, 400, "application/json", Error("This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.", "invalid_request_error", "context_length_exceeded"), ct);
                return true;
            case "bad-key":
                await WriteAsync(context, 401, "application/json", Error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"), ct);
                return true;
            case "slow-first-byte":
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
                return false;
            case "reset-mid-body":
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = Completion.Length;
                await body.WriteAsync(Completion.AsMemory(0, Completion.Length / 2), ct);
                await body.FlushAsync(ct);
                context.Abort();
                return true;
            case "reset-before-first-chunk":
                context.Response.ContentType = "text/event-stream";
                await body.FlushAsync(ct);
                context.Abort();
                return true;
            case "reset-after-first-chunk":
                context.Response.ContentType = "text/event-stream";
                await body.WriteAsync(First, ct);
                await body.WriteAsync(Word, ct);
                await body.FlushAsync(ct);
                await Task.Delay(100, ct); // let the first chunk reach the client before the reset
                context.Abort();
                return true;
            case "malformed-json":
                await WriteAsync(context, 200, "application/json", "{\"id\": \"chatcmpl-x\", \"choices\": [ {"u8.ToArray(), ct);
                return true;
            case "malformed-sse":
                context.Response.ContentType = "text/event-stream";
                await body.WriteAsync("data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"Hi\"\n\ndata: [DONE]\n\n"u8.ToArray(), ct);
                return true;
            case "no-terminator":
                context.Response.ContentType = "text/event-stream";
                await body.WriteAsync(First, ct);
                await body.WriteAsync(Word, ct);
                return true;
            case "slow-drip":
                context.Response.ContentType = "text/event-stream";
                await body.WriteAsync(First, ct);
                for (var i = 0; i < 5; i++)
                {
                    await Task.Delay(200, ct);
                    await body.WriteAsync(Word, ct);
                    await body.FlushAsync(ct);
                }

                await body.WriteAsync(Last, ct);
                await body.WriteAsync(Done, ct);
                return true;
            case "mid-stream-error":
                context.Response.ContentType = "text/event-stream";
                await body.WriteAsync(First, ct);
                await body.WriteAsync(Word, ct);
                await body.WriteAsync(Encoding.UTF8.GetBytes("data: " + Encoding.UTF8.GetString(Error("The server is overloaded.", "server_error", "overloaded")) + "\n\n"), ct);
                return true;
            default:
                return false;
        }
    }

    private static async Task<(string? Model, bool Stream)> ReadRequestAsync(HttpContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = doc.RootElement;
            return (root.TryGetProperty("model", out var m) ? m.GetString() : null,
                    root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body, CancellationToken ct)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, ct);
    }

    private static byte[] Chunk(string delta, string? finish) => Encoding.UTF8.GetBytes(
        $$"""data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1727346182,"model":"mock-model","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{(finish is null ? "null" : "\"" + finish + "\"")}}}]}""" + "\n\n");

    private static byte[] Error(string message, string type, string? code) => Encoding.UTF8.GetBytes(
        JsonSerializer.Serialize(new { error = new { message, type, param = (string?)null, code } }));
}
