using System.Text;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.OpenAI;

/// <summary>OpenAI Chat Completions bodies, shaped as the recorded transcripts are.</summary>
public static class OpenAIWire
{
    public static string Completion(string text, int prompt = 12, int completion = 5, string finish = "stop") => $$$"""
        {"id":"chatcmpl-1","object":"chat.completion","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":{{{System.Text.Json.JsonSerializer.Serialize(text)}}},"refusal":null},"logprobs":null,"finish_reason":"{{{finish}}}"}],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}},"prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":2} } }
        """;

    public static string ToolCall() => """
        {"id":"chatcmpl-2","object":"chat.completion","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}
        """;

    public static string Chunk(string delta, string? finish = null)
        => $$$"""data: {"id":"chatcmpl-3","object":"chat.completion.chunk","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{{{delta}}},"logprobs":null,"finish_reason":{{{(finish is null ? "null" : "\"" + finish + "\"")}}}}]}""" + "\n\n";

    public static string Usage(int prompt = 12, int completion = 5)
        => $$$"""data: {"id":"chatcmpl-3","object":"chat.completion.chunk","created":1727346182,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}}}}""" + "\n\n";

    public static string TextStream(string[] chunks)
    {
        var sb = new StringBuilder(Chunk("""{"role":"assistant","content":"","refusal":null}"""));
        foreach (var chunk in chunks)
        {
            sb.Append(Chunk("{\"content\":" + System.Text.Json.JsonSerializer.Serialize(chunk) + "}"));
        }

        return sb.Append(Chunk("{}", "stop")).Append(Usage()).Append("data: [DONE]\n\n").ToString();
    }

    public static string ToolCallStream() => new StringBuilder()
        .Append(Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null}"""))
        .Append(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}"""))
        .Append(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ation\": \"Pa"}}]}"""))
        .Append(Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]}"""))
        .Append(Chunk("{}", "tool_calls"))
        .Append(Usage(20, 9))
        .Append("data: [DONE]\n\n").ToString();

    public static string MidStreamError() => Chunk("""{"role":"assistant","content":"Hel"}""")
        + """data: {"error":{"message":"The server is overloaded, please retry.","type":"server_error","param":null,"code":"overloaded"}}""" + "\n\n";

    public static string Error(string message, string type, string? code)
        => $$$"""{"error":{"message":{{{System.Text.Json.JsonSerializer.Serialize(message)}}},"type":"{{{type}}}","param":null,"code":{{{(code is null ? "null" : "\"" + code + "\"")}}}}}""";

    /// <summary>Scripts the OpenAI error signal for <paramref name="kind"/> (real texts from the API).</summary>
    public static bool ScriptError(FakeUpstream upstream, LiteLlmErrorKind kind)
    {
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication:
                upstream.Status(401, Error("Incorrect API key provided: sk-proj-abc*******************xyz1. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"));
                return true;
            case LiteLlmErrorKind.PermissionDenied:
                upstream.Status(403, Error("You are not allowed to sample from this model", "invalid_request_error", null));
                return true;
            case LiteLlmErrorKind.NotFound:
                upstream.Status(404, Error("The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));
                return true;
            case LiteLlmErrorKind.BadRequest:
                upstream.Status(400, Error("Invalid value for 'temperature': must be at most 2.", "invalid_request_error", "invalid_value"));
                return true;
            case LiteLlmErrorKind.ContextWindowExceeded:
                upstream.Status(400, Error("This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.", "invalid_request_error", "context_length_exceeded"));
                return true;
            case LiteLlmErrorKind.ContentPolicy:
                upstream.Status(400, Error("Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation"));
                return true;
            case LiteLlmErrorKind.RateLimit:
                upstream.Status(429, Error("Rate limit reached for gpt-4.1 in organization org-1 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in 6.596s.", "tokens", "rate_limit_exceeded"), ("retry-after", "7"));
                return true;
            case LiteLlmErrorKind.ServiceUnavailable:
                upstream.Status(503, Error("The engine is currently overloaded, please try again later.", "server_error", null));
                return true;
            case LiteLlmErrorKind.InternalServer:
                upstream.Status(500, Error("The server had an error processing your request. Sorry about that!", "server_error", null));
                return true;
            default:
                return false;
        }
    }
}
