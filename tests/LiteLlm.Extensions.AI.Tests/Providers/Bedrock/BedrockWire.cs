using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Bedrock;

/// <summary>Bedrock Converse answers and errors, shaped as the service sends them.</summary>
public static class BedrockWire
{
    public const string ErrorNamespace = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

    public static string Converse(string text, int input = 12, int output = 5, string stopReason = "end_turn") => $$$"""
        {"metrics":{"latencyMs":350},"output":{"message":{"content":[{"text":{{{JsonSerializer.Serialize(text)}}}}],"role":"assistant"}},"stopReason":"{{{stopReason}}}","usage":{"inputTokens":{{{input}}},"outputTokens":{{{output}}},"totalTokens":{{{input + output}}}}}
        """;

    public static string ToolCall() => """
        {"metrics":{"latencyMs":800},"output":{"message":{"content":[{"text":"Let me check."},{"toolUse":{"input":{"location":"Paris"},"name":"get_weather","toolUseId":"tooluse_1"}}],"role":"assistant"}},"stopReason":"tool_use","usage":{"inputTokens":20,"outputTokens":9,"totalTokens":29}}
        """;

    public static string Message(string message) => "{\"message\":" + JsonSerializer.Serialize(message) + "}";

    /// <summary>Scripts an HTTP error as Bedrock sends it: status, <c>x-amzn-ErrorType</c> and <c>{"message"}</c>.</summary>
    public static void Error(FakeUpstream upstream, int status, string type, string message, params (string Name, string Value)[] extra)
        => upstream.Status(status, Message(message), [("x-amzn-ErrorType", type + ErrorNamespace), ("x-amzn-RequestId", "req-error-1"), .. extra]);

    /// <summary>Scripts the Bedrock signal for <paramref name="kind"/> (service texts).</summary>
    public static bool ScriptError(FakeUpstream upstream, LiteLlmErrorKind kind)
    {
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication:
                Error(upstream, 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
                return true;
            case LiteLlmErrorKind.PermissionDenied:
                Error(upstream, 403, "AccessDeniedException", "You don't have access to the model with the specified model ID.");
                return true;
            case LiteLlmErrorKind.NotFound:
                Error(upstream, 404, "ResourceNotFoundException", "Model not found.");
                return true;
            case LiteLlmErrorKind.BadRequest:
                Error(upstream, 400, "ValidationException", "The provided model identifier is invalid.");
                return true;
            case LiteLlmErrorKind.ContextWindowExceeded:
                Error(upstream, 400, "ValidationException", "Input is too long for requested model.");
                return true;
            case LiteLlmErrorKind.RateLimit:
                Error(upstream, 429, "ThrottlingException", "Too many requests, please wait before trying again.", ("retry-after", "7"));
                return true;
            case LiteLlmErrorKind.ServiceUnavailable:
                Error(upstream, 503, "ServiceUnavailableException", "Bedrock is unable to process your request.");
                return true;
            case LiteLlmErrorKind.InternalServer:
                Error(upstream, 500, "InternalServerException", "The server encountered an internal error while processing the request.");
                return true;
            default:
                return false; // content policy: Bedrock answers 200 with stopReason guardrail_intervened / content_filtered
        }
    }
}
