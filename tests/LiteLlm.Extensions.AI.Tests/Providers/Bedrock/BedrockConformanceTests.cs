using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Bedrock;

/// <summary>Bedrock Converse passes the shared suite, signed with SigV4, streams as binary event streams.</summary>
public class BedrockConformanceTests : HttpProviderConformanceTests
{
    protected override string Model => "bedrock/anthropic.claude-3-haiku-20240307-v1:0";

    protected override Dictionary<string, string> Environment => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_REGION_NAME"] = "us-east-1",
    };

    protected override void Script(Scenario scenario)
    {
        switch (scenario)
        {
            case Scenario.Text: Upstream.Json(BedrockWire.Converse(ExpectedText)); break;
            case Scenario.TextStream: Upstream.EventStream(BedrockTestData.Stream("textStream")); break;
            case Scenario.ToolCall: Upstream.Json(BedrockWire.ToolCall()); break;
            case Scenario.ToolCallStream: Upstream.EventStream(BedrockTestData.Stream("toolStream")); break;
            case Scenario.MidStreamError: Upstream.EventStream(BedrockTestData.Stream("midStreamServiceUnavailable")); break;
        }
    }

    protected override bool ScriptError(LiteLlmErrorKind kind) => BedrockWire.ScriptError(Upstream, kind);
}

/// <summary>The same suite with a Bedrock API key (bearer) instead of SigV4.</summary>
public sealed class BedrockApiKeyConformanceTests : BedrockConformanceTests
{
    protected override Dictionary<string, string> Environment => new()
    {
        ["AWS_BEARER_TOKEN_BEDROCK"] = "ABSKbedrock-test-key-0123456789",
        ["AWS_REGION"] = "eu-central-1",
    };
}
