using System.Text;
using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Gemini;

/// <summary>Gemini generateContent bodies, shaped as the recorded fixtures are (SSE with CRLF).</summary>
public static class GeminiWire
{
    public static string Usage(int prompt = 12, int? candidates = 5)
        => $$"""{"promptTokenCount":{{prompt}},{{(candidates is null ? "" : $"\"candidatesTokenCount\":{candidates},")}}"totalTokenCount":{{prompt + (candidates ?? 0)}}}""";

    public static string Response(string parts, string? finish = "STOP", int prompt = 12, int? candidates = 5)
        => $$"""{"candidates":[{"content":{"parts":[{{parts}}],"role":"model"}{{(finish is null ? "" : $",\"finishReason\":\"{finish}\"")}},"index":0}],"usageMetadata":{{Usage(prompt, candidates)}},"modelVersion":"gemini-2.0-flash","responseId":"resp-1"}""";

    public static string Text(string text) => "{\"text\":" + JsonSerializer.Serialize(text) + "}";

    public static string Call(string? id = null)
        => "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"location\":\"Paris\"}" + (id is null ? "" : ",\"id\":\"" + id + "\"") + "}}";

    public static string Event(string json) => "data: " + json + "\r\n\r\n";

    public static string TextStream(string[] chunks)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < chunks.Length; i++)
        {
            var last = i == chunks.Length - 1;
            sb.Append(Event(Response(Text(chunks[i]), last ? "STOP" : null, 12, last ? 5 : null)));
        }

        return sb.ToString();
    }

    // Gemini sends a function call whole, in one chunk; the turn ends with STOP.
    public static string ToolCallStream() => Event(Response(Call(), null, 20, null)) + Event(Response(Text(""), "STOP", 20, 9));

    public static string MidStreamError() => Event(Response(Text("Hel"), null, 12, null))
        + Event("""{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""");

    public static string Error(int code, string status, string message, string? reason = null)
    {
        var details = reason is null ? string.Empty
            : ",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"" + reason + "\",\"domain\":\"googleapis.com\"}]";
        return "{\"error\":{\"code\":" + code + ",\"message\":" + JsonSerializer.Serialize(message) + ",\"status\":\"" + status + "\"" + details + "}}";
    }

    /// <summary>Scripts Gemini's signal for <paramref name="kind"/> (texts from the API and WIRE-FORMATS §1.5).</summary>
    public static bool ScriptError(FakeUpstream upstream, LiteLlmErrorKind kind)
    {
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication:
                upstream.Status(400, Error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID"));
                return true;
            case LiteLlmErrorKind.PermissionDenied:
                upstream.Status(403, Error(403, "PERMISSION_DENIED", "The caller does not have permission"));
                return true;
            case LiteLlmErrorKind.NotFound:
                upstream.Status(404, Error(404, "NOT_FOUND", "models/gemini-5.0-flash is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."));
                return true;
            case LiteLlmErrorKind.BadRequest:
                upstream.Status(400, Error(400, "INVALID_ARGUMENT", "Invalid value at 'generation_config.temperature' (TYPE_FLOAT), \"hot\""));
                return true;
            case LiteLlmErrorKind.ContextWindowExceeded:
                upstream.Status(400, Error(400, "INVALID_ARGUMENT", "The input token count (314175) exceeds the maximum number of tokens allowed (131072)."));
                return true;
            case LiteLlmErrorKind.ContentPolicy:
                // A blocked prompt is a 200 without candidates.
                upstream.Json("""{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.0-flash"}""");
                return true;
            case LiteLlmErrorKind.RateLimit:
                upstream.Status(429, Error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."), ("retry-after", "7"));
                return true;
            case LiteLlmErrorKind.ServiceUnavailable:
                upstream.Status(503, Error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));
                return true;
            case LiteLlmErrorKind.InternalServer:
                upstream.Status(500, Error(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"));
                return true;
            default:
                return false;
        }
    }
}
