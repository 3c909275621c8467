using System.Text;
using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Cohere;

/// <summary>Cohere v2 chat bodies and SSE events, shaped as the API spec's examples are.</summary>
public static class CohereWire
{
    public static string Usage(int input = 12, int output = 5)
        => $$$"""{"billed_units":{"input_tokens":{{{input}}},"output_tokens":{{{output}}}},"tokens":{"input_tokens":{{{input}}},"output_tokens":{{{output}}}}}""";

    public static string Text(string text, string finish = "COMPLETE")
        => $$"""{"id":"c14c80c3","message":{"role":"assistant","content":[{"type":"text","text":{{JsonSerializer.Serialize(text)}}}]},"finish_reason":"{{finish}}","usage":{{Usage()}}}""";

    public static string ToolCall()
        => $$$"""{"id":"9e5f00aa","message":{"role":"assistant","tool_plan":"I will look up the weather in Paris.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\": \"Paris\"}"}}]},"finish_reason":"TOOL_CALL","usage":{{{Usage(20, 9)}}}}""";

    public static string Event(string type, string json) => "event: " + type + "\ndata: " + json + "\n\n";

    public static string ContentDelta(string text)
        => Event("content-delta", """{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":""" + JsonSerializer.Serialize(text) + "}}}}");

    public static string Start() => Event("message-start", """{"type":"message-start","id":"29f14a5a","delta":{"message":{"role":"assistant"}}}""");

    public static string End(string finish, string usage) => Event("message-end", $$$"""{"type":"message-end","delta":{"finish_reason":"{{{finish}}}","usage":{{{usage}}}}}""");

    public static string TextStream(string[] chunks)
    {
        var sb = new StringBuilder(Start())
            .Append(Event("content-start", """{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}"""));
        foreach (var chunk in chunks)
        {
            sb.Append(ContentDelta(chunk));
        }

        return sb.Append(Event("content-end", """{"type":"content-end","index":0}""")).Append(End("COMPLETE", Usage())).ToString();
    }

    public static string ToolCallStream() => new StringBuilder(Start())
        .Append(Event("tool-plan-delta", """{"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will check."}}}"""))
        .Append(Event("tool-call-start", """{"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}}}}"""))
        .Append(Event("tool-call-delta", """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\"loc"}}}}}"""))
        .Append(Event("tool-call-delta", """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"ation\": \"Pa"}}}}}"""))
        .Append(Event("tool-call-delta", """{"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"ris\"}"}}}}}"""))
        .Append(Event("tool-call-end", """{"type":"tool-call-end","index":0}"""))
        .Append(End("TOOL_CALL", Usage(20, 9)))
        .ToString();

    // The generation fails after the first chunk: message-end carries finish_reason ERROR and the error text.
    public static string MidStreamError() => Start() + ContentDelta("Hel")
        + Event("message-end", """{"type":"message-end","delta":{"finish_reason":"ERROR","error":"internal server error, this has been reported to our developers"}}""");

    public static string Error(string message) => "{\"id\":\"e1\",\"message\":" + JsonSerializer.Serialize(message) + "}";

    /// <summary>Scripts Cohere's signal for <paramref name="kind"/> (statuses and texts from the API reference, WIRE-FORMATS §1.7).</summary>
    public static bool ScriptError(FakeUpstream upstream, LiteLlmErrorKind kind)
    {
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication:
                upstream.Status(401, Error("invalid api token"));
                return true;
            case LiteLlmErrorKind.PermissionDenied:
                upstream.Status(403, Error("You do not have access to this model."));
                return true;
            case LiteLlmErrorKind.NotFound:
                upstream.Status(404, Error("model 'command-x' not found, make sure the correct model ID was used and that you have access to the model."));
                return true;
            case LiteLlmErrorKind.BadRequest:
                upstream.Status(400, Error("invalid request: temperature must be between 0 and 1."));
                return true;
            case LiteLlmErrorKind.ContextWindowExceeded:
                upstream.Status(400, Error("too many tokens: total number of tokens in the prompt cannot exceed 4081 - received 4292. Try using a shorter prompt, or enabling prompt truncating."));
                return true;
            case LiteLlmErrorKind.ContentPolicy:
                upstream.Status(498, Error("blocked input: please adjust your prompt and try again, as it may be a potential violation of our Usage Guidelines."));
                return true;
            case LiteLlmErrorKind.RateLimit:
                upstream.Status(429, Error("You are past the per minute request limit, please wait and try again later."), ("retry-after", "7"));
                return true;
            case LiteLlmErrorKind.ServiceUnavailable:
                upstream.Status(503, Error("service unavailable"));
                return true;
            case LiteLlmErrorKind.InternalServer:
                upstream.Status(500, Error("internal server error, this has been reported to our developers. id e1"));
                return true;
            default:
                return false;
        }
    }
}
