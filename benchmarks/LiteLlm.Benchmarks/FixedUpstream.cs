using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace LiteLlm.Benchmarks;

/// <summary>An upstream that answers every request at once with a fixed OpenAI body (JSON or a 20-chunk SSE stream).</summary>
public sealed class FixedUpstream : HttpMessageHandler
{
    public const int StreamChunks = 20;

    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}""");

    private static readonly byte[] Stream = BuildStream();

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Read the body as a real server would (the client must finish writing it).
        var streaming = request.Content is not null && (await request.Content.ReadAsByteArrayAsync(cancellationToken)).AsSpan().IndexOf("\"stream\":true"u8) >= 0;
        var content = new ByteArrayContent(streaming ? Stream : Completion);
        content.Headers.ContentType = streaming ? EventStream : Json;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static byte[] BuildStream()
    {
        static string Chunk(string delta, string finish) => $$"""data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{{delta}},"logprobs":null,"finish_reason":{{finish}}}]}""" + "\n\n";
        var sb = new StringBuilder(Chunk("""{"role":"assistant","content":""}""", "null"));
        for (var i = 0; i < StreamChunks; i++)
        {
            sb.Append(Chunk("""{"content":"word "}""", "null"));
        }

        sb.Append(Chunk("{}", "\"stop\""));
        sb.Append("""data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}}""" + "\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
