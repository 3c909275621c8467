using System.Text;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Ollama;

/// <summary>Ollama's native API: NDJSON streams, tool calls with object arguments, {"error":"…"} bodies.</summary>
public sealed class OllamaConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "ollama_chat/llama3.2";

    internal static string Final(int prompt = 12, int eval = 5, string reason = "stop")
        => $$"""{"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"{{reason}}","total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":{{prompt}},"prompt_eval_duration":383809000,"eval_count":{{eval}},"eval_duration":4799921000}""";

    internal static string Line(string content)
        => $$"""{"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":{{System.Text.Json.JsonSerializer.Serialize(content)}}},"done":false}""";

    private const string ToolCallMessage = """{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"location":"Paris"}}}]}""";

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text:
                Upstream.Json($$"""{"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":"{{ExpectedText}}"},"done":true,"done_reason":"stop","total_duration":5191566416,"prompt_eval_count":12,"eval_count":5}""");
                break;
            case Scenario.TextStream:
                Upstream.Ndjson(string.Join("\n", ExpectedChunks.Select(Line).Append(Final())) + "\n");
                break;
            case Scenario.ToolCall:
                Upstream.Json($$"""{"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","message":{{ToolCallMessage}},"done":true,"done_reason":"stop","prompt_eval_count":20,"eval_count":9}""");
                break;
            case Scenario.ToolCallStream:
                // Ollama sends a tool call whole, in one line before the final one.
                Upstream.Ndjson(new StringBuilder()
                    .Append($$"""{"model":"llama3.2","created_at":"2024-07-22T20:33:28.1Z","message":{{ToolCallMessage}},"done":false}""").Append('\n')
                    .Append(Final(20, 9)).Append('\n').ToString());
                break;
            case Scenario.MidStreamError:
                Upstream.Ndjson(Line("Hel") + "\n" + """{"error":"an error was encountered while running the model: unexpected EOF"}""" + "\n");
                break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind)
    {
        switch (kind)
        {
            case LiteLlmErrorKind.Authentication: Upstream.Status(401, """{"error":"unauthorized"}"""); return true;
            case LiteLlmErrorKind.PermissionDenied: Upstream.Status(403, """{"error":"forbidden"}"""); return true;
            case LiteLlmErrorKind.NotFound: Upstream.Status(404, """{"error":"model \"llama9\" not found, try pulling it first"}"""); return true;
            case LiteLlmErrorKind.BadRequest: Upstream.Status(400, """{"error":"invalid options: temperature"}"""); return true;
            case LiteLlmErrorKind.ContextWindowExceeded: Upstream.Status(400, """{"error":"the input length exceeds the context length"}"""); return true;
            case LiteLlmErrorKind.RateLimit: Upstream.Status(429, """{"error":"too many requests"}""", ("retry-after", "7")); return true;
            case LiteLlmErrorKind.ServiceUnavailable: Upstream.Status(503, """{"error":"server busy, please try again.  maximum pending requests exceeded"}"""); return true;
            case LiteLlmErrorKind.InternalServer: Upstream.Status(500, """{"error":"llama runner process has terminated: signal: killed"}"""); return true;
            default: return false;
        }
    }
}
