using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Providers.Bedrock;

/// <summary>Anthropic models on Converse: cache_control becomes cachePoint, thinking travels in additionalModelRequestFields.</summary>
public sealed class BedrockAnthropicTests
{
    private const string Claude = "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0";
    private static readonly Dictionary<string, string> Env = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_REGION_NAME"] = "us-east-1",
    };

    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CacheControl_BecomesCachePoints_AndTheCallersThinkingIsSentAsItIs()
    {
        // What a host reading Anthropic Messages hands the client: each content's Anthropic block, and the whole body.
        var body = JsonDocument.Parse("""
            {"model":"m","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":8000},
             "tools":[{"name":"Read","input_schema":{"type":"object"}},{"name":"Write","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}]}
            """).RootElement;
        var wire = new WireJson(WireFormat.AnthropicMessages, body);
        var options = new ChatOptions
        {
            MaxOutputTokens = 4000,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
            Tools = [Tool("Read"), Tool("Write")],
            RawRepresentationFactory = _ => wire,
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, [new TextContent("You are Claude Code.") { RawRepresentation = Block("""{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}""") }]),
            new(ChatRole.User, [
                new TextContent("context") { RawRepresentation = Block("""{"type":"text","text":"context","cache_control":{"type":"ephemeral","ttl":"1h"}}""") },
                new TextContent("question") { RawRepresentation = Block("""{"type":"text","text":"question"}""") }]),
        ];
        _upstream.Json(BedrockWire.Converse("ok"));

        await Factory().CreateChatClient(Claude).GetResponseAsync(messages, options, Ct);

        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        Assert.Equal("""[{"text":"You are Claude Code."},{"cachePoint":{"type":"default"}}]""", sent["system"]!.ToJsonString());
        Assert.Equal("""[{"text":"context"},{"cachePoint":{"type":"default"}},{"text":"question"}]""", sent["messages"]![0]!["content"]!.ToJsonString());
        Assert.Equal(
            """[{"toolSpec":{"name":"Read","inputSchema":{"json":{"type":"object"}}}},{"toolSpec":{"name":"Write","inputSchema":{"json":{"type":"object"}}}},{"cachePoint":{"type":"default"}}]""",
            sent["toolConfig"]!["tools"]!.ToJsonString());
        Assert.Equal("""{"type":"enabled","budget_tokens":8000}""", sent["additionalModelRequestFields"]!["thinking"]!.ToJsonString());
        Assert.Equal(12000, sent["inferenceConfig"]!["maxTokens"]!.GetValue<int>()); // above the budget, keeping the answer's 4000
    }

    [Fact]
    public async Task ReasoningEffort_IsAThinkingBudget_ForAnthropicModelsOnly()
    {
        var options = new ChatOptions { MaxOutputTokens = 1000, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } };
        _upstream.Json(BedrockWire.Converse("ok"));
        _upstream.Json(BedrockWire.Converse("ok"));

        await Factory().CreateChatClient(Claude).GetResponseAsync([new(ChatRole.User, "Hi")], options, Ct);
        var claude = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        await Factory().CreateChatClient("bedrock/amazon.nova-pro-v1:0").GetResponseAsync([new(ChatRole.User, "Hi")], options, Ct);
        var nova = JsonNode.Parse(_upstream.LastRequest.Body!)!;

        Assert.Equal("""{"type":"enabled","budget_tokens":4096}""", claude["additionalModelRequestFields"]!["thinking"]!.ToJsonString());
        Assert.Equal(5096, claude["inferenceConfig"]!["maxTokens"]!.GetValue<int>());
        Assert.Null(nova["additionalModelRequestFields"]?["thinking"]);
    }

    [Fact]
    public async Task SignedAndRedactedReasoning_RoundTrip()
    {
        _upstream.Json("""
            {"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"sig-1"}}},{"reasoningContent":{"redactedContent":"b3BhcXVl"}},{"text":"ok"}]}},
             "stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8}}
            """);
        var client = Factory().CreateChatClient(Claude);
        var first = await client.GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);
        var redacted = first.Messages[0].Contents.OfType<TextReasoningContent>().Last();
        Assert.Equal(true, redacted.AdditionalProperties!["redacted"]);

        _upstream.Json(BedrockWire.Converse("ok"));
        await client.GetResponseAsync([new(ChatRole.User, "Hi"), .. first.Messages, new(ChatRole.User, "More")], null, Ct);

        var assistant = JsonNode.Parse(_upstream.LastRequest.Body!)!["messages"]![1]!["content"]!;
        Assert.Equal("""[{"reasoningContent":{"reasoningText":{"text":"hmm","signature":"sig-1"}}},{"reasoningContent":{"redactedContent":"b3BhcXVl"}},{"text":"ok"}]""", assistant.ToJsonString());
    }

    private static JsonElement Block(string json) => JsonDocument.Parse(json).RootElement;

    private static AIFunctionDeclaration Tool(string name) => AIFunctionFactory.CreateDeclaration(name, null, JsonDocument.Parse("""{"type":"object"}""").RootElement);

    private LiteLlmClientFactory Factory() => new(new LiteLlmClientFactoryOptions
    {
        HttpMessageHandler = _upstream,
        EnvironmentVariables = name => Env.TryGetValue(name, out var v) ? v : null,
        Providers = new ProviderRegistry(),
    });
}
