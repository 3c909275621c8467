using System.Text;
using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Anthropic;

/// <summary>Anthropic Messages bodies, shaped as the recorded transcripts in shared/fixtures/anthropic are.</summary>
public static class AnthropicWire
{
    public static string Message(string contentBlocks, string stopReason, int input = 12, int output = 5) => $$$"""
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{{{contentBlocks}}}],"stop_reason":"{{{stopReason}}}","stop_sequence":null,"usage":{"input_tokens":{{{input}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":{{{output}}},"service_tier":"standard"}}
        """;

    public static string Text(string text) => Message("""{"type":"text","text":""" + JsonSerializer.Serialize(text) + "}", "end_turn");

    public static string ToolCall() => Message("""{"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}}""", "tool_use", 20, 9);

    public static string Event(string type, string data) => $"event: {type}\ndata: {data}\n\n";

    public static string MessageStart(int input = 12)
        => Event("message_start", """{"type":"message_start","message":{"id":"msg_01Stream","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":""" + input + ""","cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}""");

    public static string TextBlock(int index, params string[] chunks)
    {
        var sb = new StringBuilder(Event("content_block_start", """{"type":"content_block_start","index":""" + index + ""","content_block":{"type":"text","text":""}}"""));
        sb.Append(Event("ping", """{"type": "ping"}"""));
        foreach (var chunk in chunks)
        {
            sb.Append(Event("content_block_delta", """{"type":"content_block_delta","index":""" + index + ""","delta":{"type":"text_delta","text":""" + JsonSerializer.Serialize(chunk) + "}}"));
        }

        return sb.Append(Event("content_block_stop", """{"type":"content_block_stop","index":""" + index + "}")).ToString();
    }

    public static string MessageEnd(string stopReason, int output = 5)
        => Event("message_delta", """{"type":"message_delta","delta":{"stop_reason":""" + JsonSerializer.Serialize(stopReason) + ""","stop_sequence":null},"usage":{"output_tokens":""" + output + "}}")
        + Event("message_stop", """{"type":"message_stop"}""");

    public static string TextStream(string[] chunks) => MessageStart() + TextBlock(0, chunks) + MessageEnd("end_turn");

    public static string ToolCallStream() => new StringBuilder(MessageStart(20))
        .Append(Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_1","name":"get_weather","input":{}}}"""))
        .Append(Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"""))
        .Append(Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"loc"}}"""))
        .Append(Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ation\": \"Pa"}}"""))
        .Append(Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}"""))
        .Append(Event("content_block_stop", """{"type":"content_block_stop","index":0}"""))
        .Append(MessageEnd("tool_use", 9))
        .ToString();

    public static string MidStreamError() => MessageStart()
        + Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")
        + Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}""")
        + Event("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");

    public static string Error(string type, string message)
        => """{"type":"error","error":{"type":""" + JsonSerializer.Serialize(type) + ""","message":""" + JsonSerializer.Serialize(message) + """},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""";

    /// <summary>Scripts Anthropic's error signal for <paramref name="kind"/> (status and error.type from docs.claude.com/en/api/errors).</summary>
    public static bool ScriptError(FakeUpstream upstream, LiteLlmErrorKind kind)
    {
        (string, string)[] requestId = [("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")];
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication:
                upstream.Status(401, Error("authentication_error", "invalid x-api-key"), requestId);
                return true;
            case LiteLlmErrorKind.PermissionDenied:
                upstream.Status(403, Error("permission_error", "Your API key does not have permission to use the specified resource."), requestId);
                return true;
            case LiteLlmErrorKind.NotFound:
                upstream.Status(404, Error("not_found_error", "model: claude-sonnet-9"), requestId);
                return true;
            case LiteLlmErrorKind.BadRequest:
                upstream.Status(400, Error("invalid_request_error", "temperature: range: 0..1"), requestId);
                return true;
            case LiteLlmErrorKind.ContextWindowExceeded:
                upstream.Status(400, Error("invalid_request_error", "prompt is too long: 209353 tokens > 199999 maximum"), requestId);
                return true;
            case LiteLlmErrorKind.ContentPolicy:
                return false; // Anthropic has no HTTP signal for it: a refusal is a 200 with stop_reason "refusal".
            case LiteLlmErrorKind.RateLimit:
                upstream.Status(429, Error("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later."), [.. requestId, ("retry-after", "7")]);
                return true;
            case LiteLlmErrorKind.ServiceUnavailable:
                upstream.Status(529, Error("overloaded_error", "Overloaded"), requestId);
                return true;
            case LiteLlmErrorKind.InternalServer:
                upstream.Status(500, Error("api_error", "Internal server error"), requestId);
                return true;
            default:
                return false;
        }
    }
}
