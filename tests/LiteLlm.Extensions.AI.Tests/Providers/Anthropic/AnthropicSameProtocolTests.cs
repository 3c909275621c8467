using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Cost;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Providers.Anthropic;

/// <summary>
/// The same-protocol path of the Anthropic client: a caller's own Anthropic body (<see cref="WireJson"/>) is sent as it came with
/// its headers, answers and stream events come back as <see cref="WireJson"/>; count_tokens; reasoning ↔ thinking; cache pricing.
/// </summary>
public sealed class AnthropicSameProtocolTests
{
    private const string Model = "claude-sonnet-4-5";

    private const string Body = """
        {"model":"claude-code","max_tokens":32000,"stream":false,
         "system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "messages":[
           {"role":"user","content":[
             {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"},"title":"spec.pdf","citations":{"enabled":true},"cache_control":{"type":"ephemeral"}},
             {"type":"search_result","source":"https://example.com/a","title":"A","content":[{"type":"text","text":"alpha"}]},
             {"type":"container_upload","file_id":"file_011"},
             {"type":"text","text":"Summarize."}]},
           {"role":"assistant","content":[
             {"type":"thinking","thinking":"Let me search.","signature":"sig-1"},
             {"type":"redacted_thinking","data":"cmVkYWN0ZWQ="},
             {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"alpha"}},
             {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://example.com","title":"Ex","encrypted_content":"enc","page_age":null}]},
             {"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"/a"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"file body"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}],"is_error":false}]}],
         "tools":[{"name":"Read","description":"Read a file","input_schema":{"type":"object","properties":{"file_path":{"type":"string"}}},"cache_control":{"type":"ephemeral"}},
                  {"type":"web_search_20250305","name":"web_search","max_uses":3},
                  {"type":"code_execution_20250522","name":"code_execution"}],
         "tool_choice":{"type":"auto","disable_parallel_tool_use":true},
         "thinking":{"type":"enabled","budget_tokens":10000},
         "metadata":{"user_id":"u-1"},"top_k":40,"stop_sequences":["\n\nHuman:"],"service_tier":"auto",
         "container":"container_1","mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"ex"}],
         "context_management":{"edits":[{"type":"clear_tool_uses_20250919"}]},"a_field_added_next_year":{"x":1}}
        """;

    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallersBody_IsSentAsItCame_OnlyModelChanges_WithItsProtocolHeaders()
    {
        var (messages, options) = FromWire(Body, new Dictionary<string, string>
        {
            ["anthropic-beta"] = "interleaved-thinking-2025-05-14,context-management-2025-06-27",
            ["anthropic-version"] = "2023-06-01",
        });
        _upstream.Json(AnthropicWire.Text("ok"));

        await Client().GetResponseAsync(messages, options, Ct);

        var expected = JsonNode.Parse(Body)!;
        expected["model"] = Model;
        expected.AsObject().Remove("stream");
        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        Assert.True(JsonNode.DeepEquals(expected, sent), sent.ToJsonString());
        Assert.Equal("interleaved-thinking-2025-05-14,context-management-2025-06-27", _upstream.LastRequest.Header("anthropic-beta"));
        Assert.Equal("2023-06-01", _upstream.LastRequest.Header("anthropic-version"));
    }

    [Fact]
    public async Task ClaudeOnAzureAIFoundry_IsTheSameWire_AtTheResourcesAnthropicBase()
    {
        // Foundry serves Claude as Anthropic Messages under https://<resource>.services.ai.azure.com/anthropic, with x-api-key:
        // an anthropic/ deployment with that api_base; the model is the Foundry deployment's name.
        var (messages, options) = FromWire(Body, new Dictionary<string, string> { ["anthropic-beta"] = "interleaved-thinking-2025-05-14" });
        _upstream.Json(AnthropicWire.Text("ok"));
        var client = TestFactory.Create(_upstream).CreateChatClient(
            "anthropic/my-claude-deployment",
            new ProviderOptions { ApiBase = "https://my-resource.services.ai.azure.com/anthropic", ApiKey = "foundry-key-0123456789" });

        await client.GetResponseAsync(messages, options, Ct);

        Assert.Equal("https://my-resource.services.ai.azure.com/anthropic/v1/messages", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("foundry-key-0123456789", _upstream.LastRequest.Header("x-api-key"));
        Assert.Equal("interleaved-thinking-2025-05-14", _upstream.LastRequest.Header("anthropic-beta"));
        var expected = JsonNode.Parse(Body)!;
        expected["model"] = "my-claude-deployment";
        expected.AsObject().Remove("stream");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(_upstream.LastRequest.Body!)), _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task AMessageAddedOnTheWay_IsTranslated_TheCallersStayAsTheyCame()
    {
        var (messages, options) = FromWire("""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}]}""");
        messages.Add(new ChatMessage(ChatRole.Assistant, "Hello."));
        messages.Add(new ChatMessage(ChatRole.User, "And?"));
        _upstream.Json(AnthropicWire.Text("ok"));

        await Client().GetResponseAsync(messages, options, Ct);

        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]},{"role":"assistant","content":[{"type":"text","text":"Hello."}]},{"role":"user","content":[{"type":"text","text":"And?"}]}]""",
            sent["messages"]!.ToJsonString());
        Assert.Equal(10, sent["max_tokens"]!.GetValue<int>()); // the caller's, not the options'
    }

    [Fact]
    public async Task Answer_AndEveryStreamEvent_CarryTheProvidersJson()
    {
        _upstream.Json("""{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},{"type":"text","text":"Hi","citations":[{"type":"web_search_result_location","url":"https://e.com","title":"E","encrypted_index":"x","cited_text":"c"}]}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":2,"server_tool_use":{"web_search_requests":1}}}""");
        var response = await Client().GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);
        var wire = Assert.IsType<WireJson>(response.RawRepresentation);
        Assert.Equal(WireFormat.AnthropicMessages, wire.Format);
        Assert.Equal(1, wire.Json.GetProperty("usage").GetProperty("server_tool_use").GetProperty("web_search_requests").GetInt32());
        Assert.Equal("Hi", response.Text);

        var transcript = Fixtures.Read("anthropic/stream-a-refusal.sse");
        _upstream.Sse(transcript);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync([new(ChatRole.User, "Hi")], null, Ct))
        {
            updates.Add(update);
        }

        var events = updates.Select(u => Assert.IsType<WireJson>(u.RawRepresentation)).ToList();
        Assert.Equal(transcript.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length, events.Count);
        Assert.Equal("ping", events[2].EventType);
        Assert.Contains(events, e => e.Json.TryGetProperty("delta", out var d) && d.GetProperty("type").GetString() == "signature_delta");
        Assert.Contains(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>(), r => r.ProtectedData is { Length: > 0 });
    }

    [Fact]
    public async Task Reasoning_BecomesAThinkingBudget_AndMaxTokensIsRaisedAboveIt()
    {
        _upstream.Json(AnthropicWire.Text("ok"));
        await Client().GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new() { Effort = ReasoningEffort.Low }, MaxOutputTokens = 1000 }, Ct);

        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        Assert.Equal("""{"type":"enabled","budget_tokens":1024}""", sent["thinking"]!.ToJsonString());
        Assert.Equal(2024, sent["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task RedactedThinking_GoesBackAsARedactedBlock()
    {
        _upstream.Json("""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"redacted_thinking","data":"b3BhcXVl"},{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""");
        var first = await Client().GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);
        var redacted = Assert.IsType<TextReasoningContent>(first.Messages[0].Contents[0]);
        Assert.Equal(true, redacted.AdditionalProperties!["redacted"]);

        _upstream.Json(AnthropicWire.Text("ok"));
        await Client().GetResponseAsync([new(ChatRole.User, "Hi"), .. first.Messages, new(ChatRole.User, "More")], null, Ct);
        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!;
        Assert.Equal("""{"type":"redacted_thinking","data":"b3BhcXVl"}""", sent["messages"]![1]!["content"]![0]!.ToJsonString());
    }

    [Fact]
    public async Task CountInputTokens_AsksAnthropic_WithTheBodyCountTokensTakes()
    {
        var (messages, options) = FromWire(Body, new Dictionary<string, string> { ["anthropic-beta"] = "token-counting-2024-11-01" });
        _upstream.Json("""{"input_tokens":4242}""");

        var count = await Client().CountInputTokensAsync(messages, options, Ct);

        Assert.Equal(4242, count);
        Assert.Equal("https://api.anthropic.com/v1/messages/count_tokens", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("token-counting-2024-11-01", _upstream.LastRequest.Header("anthropic-beta"));
        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!.AsObject();
        Assert.Equal(["model", "system", "messages", "tools", "tool_choice", "thinking", "mcp_servers", "context_management"], sent.Select(p => p.Key));
        Assert.Equal(Model, sent["model"]!.GetValue<string>());

        using var other = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-x" }).CreateChatClient("openai/gpt-4o-mini");
        Assert.Null(await other.CountInputTokensAsync(messages, options, Ct));
    }

    [Fact]
    public async Task Cost_CacheReadAtTheCacheReadPrice_AndAOneHourWriteAtItsOwnPrice()
    {
        // claude-sonnet-4-5: input 3e-6, output 1.5e-5, cache read 3e-7, 5-minute write 3.75e-6, 1-hour write 6e-6 (USD per token).
        _upstream.Json(Answer("""{"input_tokens":10,"cache_read_input_tokens":1000,"output_tokens":100}"""));
        _upstream.Json(Answer("""{"input_tokens":10,"cache_creation_input_tokens":3000,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},"output_tokens":100}"""));
        using var client = Client().AsBuilder().UseCostTracking().Build();

        var read = await client.GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);
        var written = await client.GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);

        Assert.Equal((10 * 3e-6m) + (1000 * 3e-7m) + (100 * 1.5e-5m), read.AdditionalProperties![ResponseProperties.Cost]);
        Assert.Equal(2000, written.Usage!.AdditionalCounts![CostCalculator.CacheCreation1HourInputTokens]);
        Assert.Equal((10 * 3e-6m) + (1000 * 3.75e-6m) + (2000 * 6e-6m) + (100 * 1.5e-5m), written.AdditionalProperties![ResponseProperties.Cost]);
    }

    private static string Answer(string usage)
        => $$"""{"id":"msg_c","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{{usage}}}""";

    /// <summary>What a host speaking Anthropic Messages hands the client: the body and each message's JSON.</summary>
    private static (List<ChatMessage> Messages, ChatOptions Options) FromWire(string body, IReadOnlyDictionary<string, string>? headers = null)
    {
        var root = JsonDocument.Parse(body).RootElement;
        var messages = new List<ChatMessage>();
        if (root.TryGetProperty("system", out var system))
        {
            messages.Add(new ChatMessage(ChatRole.System, "system") { RawRepresentation = new WireJson(WireFormat.AnthropicMessages, system) });
        }

        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            var role = message.GetProperty("role").GetString() == "user" ? ChatRole.User : ChatRole.Assistant;
            messages.Add(new ChatMessage(role, "…") { RawRepresentation = new WireJson(WireFormat.AnthropicMessages, message) });
        }

        var wire = new WireJson(WireFormat.AnthropicMessages, root) { Headers = headers };
        // As the gateway's translator does: the options carry the body's max_tokens (a pipeline that lowers it changes the options).
        return (messages, new ChatOptions { MaxOutputTokens = root.GetProperty("max_tokens").GetInt32(), RawRepresentationFactory = _ => wire });
    }

    private IChatClient Client() => TestFactory.Create(_upstream, new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-test" }).CreateChatClient("anthropic/" + Model);
}
