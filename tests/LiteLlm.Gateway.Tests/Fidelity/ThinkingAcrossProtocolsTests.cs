using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiteLlm.Gateway.Tests.Fidelity;

/// <summary>
/// Anthropic's extended thinking reached through <c>/v1/chat/completions</c>: <c>reasoning_effort</c> becomes a thinking
/// budget, the answer's thinking comes back as <c>reasoning_content</c> plus LiteLLM's <c>thinking_blocks</c> with their
/// signatures, and blocks sent back on the next turn reach Anthropic intact — so thinking with tools works over turns.
/// </summary>
public sealed class ThinkingAcrossProtocolsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThinkingWithTools_OverThreeTurns_KeepsEverySignature()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        var answers = new Queue<string>(
        [
            """{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"I should look it up.","signature":"sig-turn-1"},{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":10}}""",
            """{"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"redacted_thinking","data":"ENCRYPTED-2"},{"type":"text","text":"Sunny in Paris."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":5}}""",
            """{"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"Done.","signature":"sig-turn-3"},{"type":"text","text":"You're welcome."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":40,"output_tokens":3}}""",
        ]);
        upstream.Answer = _ => (200, "application/json", answers.Dequeue());
        await using var host = await GatewayHost.StartAsync(yaml: OpenAIFieldMatrixTests.Yaml(upstream.Address, "anthropic", "claude-sonnet-4-5"));
        var tools = JsonNode.Parse("""[{"type":"function","function":{"name":"lookup","description":"Looks a place up","parameters":{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}}}]""");
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris?" });

        // Turn 1: thinking budget from reasoning_effort; thinking and the tool call come back with the signature.
        var first = await TurnAsync(host, messages, tools);
        var sent1 = upstream.Last.Json;
        Assert.Equal("enabled", sent1.GetProperty("thinking").GetProperty("type").GetString());
        Assert.Equal(1024, sent1.GetProperty("thinking").GetProperty("budget_tokens").GetInt32());
        Assert.False(sent1.TryGetProperty("reasoning_effort", out _));
        Assert.Equal("I should look it up.", first.GetProperty("reasoning_content").GetString());
        var block1 = Assert.Single(first.GetProperty("thinking_blocks").EnumerateArray());
        Assert.Equal("sig-turn-1", block1.GetProperty("signature").GetString());
        Assert.Equal("toolu_1", first.GetProperty("tool_calls")[0].GetProperty("id").GetString());

        // Turn 2: the assistant turn (thinking blocks + tool call) and the tool result go back.
        messages.Add(JsonNode.Parse(first.GetRawText()));
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "toolu_1", ["content"] = "sunny" });
        var second = await TurnAsync(host, messages, tools);
        var assistant1 = upstream.Last.Json.GetProperty("messages")[1];
        Assert.Equal("assistant", assistant1.GetProperty("role").GetString());
        var content1 = assistant1.GetProperty("content");
        Assert.Equal("thinking", content1[0].GetProperty("type").GetString());
        Assert.Equal("I should look it up.", content1[0].GetProperty("thinking").GetString());
        Assert.Equal("sig-turn-1", content1[0].GetProperty("signature").GetString());
        Assert.Equal("tool_use", content1[1].GetProperty("type").GetString());
        Assert.Equal("toolu_1", content1[1].GetProperty("id").GetString());
        Assert.Equal("tool_result", upstream.Last.Json.GetProperty("messages")[2].GetProperty("content")[0].GetProperty("type").GetString());
        var block2 = Assert.Single(second.GetProperty("thinking_blocks").EnumerateArray());
        Assert.Equal("redacted_thinking", block2.GetProperty("type").GetString());
        Assert.Equal("ENCRYPTED-2", block2.GetProperty("data").GetString());
        Assert.Equal("Sunny in Paris.", second.GetProperty("content").GetString());

        // Turn 3: both earlier turns' blocks reach Anthropic intact.
        messages.Add(JsonNode.Parse(second.GetRawText()));
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = "Thanks!" });
        var third = await TurnAsync(host, messages, tools);
        var sent3 = upstream.Last.Json.GetProperty("messages");
        Assert.Equal("sig-turn-1", sent3[1].GetProperty("content")[0].GetProperty("signature").GetString());
        var redacted = sent3[3].GetProperty("content")[0];
        Assert.Equal("redacted_thinking", redacted.GetProperty("type").GetString());
        Assert.Equal("ENCRYPTED-2", redacted.GetProperty("data").GetString());
        Assert.Equal("sig-turn-3", third.GetProperty("thinking_blocks")[0].GetProperty("signature").GetString());
    }

    private static async Task<JsonElement> TurnAsync(GatewayHost host, JsonArray messages, JsonNode? tools)
    {
        var body = new JsonObject
        {
            ["model"] = "up",
            ["messages"] = messages.DeepClone(),
            ["tools"] = tools?.DeepClone(),
            ["reasoning_effort"] = "low",
            ["max_tokens"] = 4096,
        };
        var response = await host.PostAsync("/v1/chat/completions", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").Clone();
    }
}
