using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Cohere;

public class CohereConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "cohere_chat/command-r-plus";

    protected override Dictionary<string, string> Environment => new() { ["COHERE_API_KEY"] = "co-test-cohere-0123456789" };

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text: Upstream.Json(CohereWire.Text(ExpectedText)); break;
            case Scenario.TextStream: Upstream.Sse(CohereWire.TextStream(ExpectedChunks)); break;
            case Scenario.ToolCall: Upstream.Json(CohereWire.ToolCall()); break;
            case Scenario.ToolCallStream: Upstream.Sse(CohereWire.ToolCallStream()); break;
            case Scenario.MidStreamError: Upstream.Sse(CohereWire.MidStreamError()); break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind) => CohereWire.ScriptError(Upstream, kind);
}

/// <summary>The "cohere" prefix and the CO_API_KEY variable reach the same client.</summary>
public sealed class CoherePrefixConformanceTests : CohereConformanceTests
{
    protected override string Model => "cohere/command-a-03-2025";

    protected override Dictionary<string, string> Environment => new() { ["CO_API_KEY"] = "co-test-cohere-9876543210" };
}
