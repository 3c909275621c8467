using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.OpenAI;

public class OpenAIConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "openai/gpt-4o-mini";

    protected override Dictionary<string, string> Environment => new() { ["OPENAI_API_KEY"] = "sk-test-openai-0123456789" };

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text: Upstream.Json(OpenAIWire.Completion(ExpectedText)); break;
            case Scenario.TextStream: Upstream.Sse(OpenAIWire.TextStream(ExpectedChunks)); break;
            case Scenario.ToolCall: Upstream.Json(OpenAIWire.ToolCall()); break;
            case Scenario.ToolCallStream: Upstream.Sse(OpenAIWire.ToolCallStream()); break;
            case Scenario.MidStreamError: Upstream.Sse(OpenAIWire.MidStreamError()); break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind) => OpenAIWire.ScriptError(Upstream, kind);
}

/// <summary>An OpenAI-compatible host passes the same suite through its own prefix, base URL and key.</summary>
public sealed class GroqConformanceTests : OpenAIConformanceTests
{
    protected override string Model => "groq/llama-3.1-8b-instant";

    protected override Dictionary<string, string> Environment => new() { ["GROQ_API_KEY"] = "gsk_test_groq_0123456789" };
}

/// <summary>Azure OpenAI passes the same suite through deployment URLs and the api-key header.</summary>
public sealed class AzureConformanceTests : OpenAIConformanceTests
{
    protected override string Model => "azure/my-gpt4o";

    protected override Dictionary<string, string> Environment => new()
    {
        ["AZURE_API_KEY"] = "azure-test-key-0123456789",
        ["AZURE_API_BASE"] = "https://my-resource.openai.azure.com",
    };
}
