using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Gemini;

public sealed class GeminiConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "gemini/gemini-2.0-flash";

    protected override Dictionary<string, string> Environment => new() { ["GEMINI_API_KEY"] = "AIza-test-gemini-0123456789" };

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text: Upstream.Json(GeminiWire.Response(GeminiWire.Text(ExpectedText))); break;
            case Scenario.TextStream: Upstream.Sse(GeminiWire.TextStream(ExpectedChunks)); break;
            case Scenario.ToolCall: Upstream.Json(GeminiWire.Response(GeminiWire.Call(), "STOP", 20, 9)); break;
            case Scenario.ToolCallStream: Upstream.Sse(GeminiWire.ToolCallStream()); break;
            case Scenario.MidStreamError: Upstream.Sse(GeminiWire.MidStreamError()); break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind) => GeminiWire.ScriptError(Upstream, kind);
}
