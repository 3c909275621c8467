using System.Text.Json;

namespace LiteLlm.Tests.Providers.OpenAI;

/// <summary>
/// The hand-written Chat Completions translation at the wire: the parts of a request and answer that
/// <see cref="OpenAIWireTests"/> does not already pin (content parts, instructions, reasoning, schemas, refusals,
/// broken tool arguments, stream framing).
/// </summary>
public sealed class OpenAIChatTranslationTests
{
    private readonly FakeUpstream _upstream = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IChatClient Client(string model = "openai/gpt-4o-mini")
        => TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-0123456789abcdef" }).CreateChatClient(model);

    [Fact]
    public async Task Request_ContentPartsInstructionsReasoningAndToolHistory()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var image = new UriContent(new Uri("https://example.com/cat.png"), "image/png") { AdditionalProperties = new() { ["detail"] = "low" } };
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"place":{"$ref":"#/$defs/place"}},"required":["place"],"$defs":{"place":{"type":"string"}}}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in French.",
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            Tools = [AIFunctionFactory.CreateDeclaration("lookup", null, schema)],
            ToolMode = ChatToolMode.RequireAny,
            AllowMultipleToolCalls = false,
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, [new TextContent("Be brief."), new TextContent(" Be kind.")]),
            new(ChatRole.User, [new TextContent("What is on these?"), image, new DataContent(new byte[] { 1, 2, 3 }, "audio/wav"), new DataContent(new byte[] { 4, 5 }, "application/pdf") { Name = "a.pdf" }]) { AuthorName = "ada" },
            new(ChatRole.Assistant, [new TextContent("Looking."), new FunctionCallContent("call_9", "lookup", new Dictionary<string, object?> { ["place"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_9", new Dictionary<string, object?> { ["found"] = true })]),
        ];

        await Client().GetResponseAsync(messages, options, Ct);

        JsonAssert.Equal("""
            {
              "model": "gpt-4o-mini",
              "messages": [
                {"role":"system","content":"Answer in French."},
                {"role":"system","content":[{"type":"text","text":"Be brief."},{"type":"text","text":" Be kind."}]},
                {"role":"user","name":"ada","content":[
                  {"type":"text","text":"What is on these?"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},
                  {"type":"input_audio","input_audio":{"data":"AQID","format":"wav"}},
                  {"type":"file","file":{"file_data":"data:application/pdf;base64,BAU=","filename":"a.pdf"}}]},
                {"role":"assistant","content":"Looking.","tool_calls":[{"id":"call_9","type":"function","function":{"name":"lookup","arguments":"{\"place\":\"Paris\"}"}}]},
                {"role":"tool","tool_call_id":"call_9","content":"{\"found\":true}"}
              ],
              "reasoning_effort": "low",
              "tools": [{"type":"function","function":{"name":"lookup","parameters":{"type":"object","required":["place"],"properties":{"place":{"$ref":"#/$defs/place"}},"additionalProperties":false,"$defs":{"place":{"type":"string"}}}}}],
              "tool_choice": "required",
              "parallel_tool_calls": false
            }
            """, _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task StreamingRequest_AsksForUsage_AndAToolOnlyTurnHasNoContent()
    {
        _upstream.Sse(OpenAIWire.TextStream(["Hi"]));
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", null)]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
        ];

        await foreach (var _ in Client().GetStreamingResponseAsync(messages, cancellationToken: Ct))
        {
        }

        var body = _upstream.LastRequest.Json;
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var assistant = body.GetProperty("messages")[1];
        Assert.False(assistant.TryGetProperty("content", out _)); // as Microsoft.Extensions.AI.OpenAI writes a tool-only turn
        Assert.Equal("{}", assistant.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("text/event-stream", _upstream.LastRequest.Header("Accept"));
        Assert.StartsWith("LiteLlm.NET/", _upstream.LastRequest.Header("User-Agent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_RefusalBrokenArgumentsAndCreatedTime()
    {
        _upstream.Json("""
            {"id":"chatcmpl-r","object":"chat.completion","created":1727346182,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that.","tool_calls":[{"id":"call_x","type":"function","function":{"name":"f","arguments":"{not json"}}]},"finish_reason":"length"}]}
            """);

        var response = await Client().GetResponseAsync("hi", cancellationToken: Ct);

        var message = Assert.Single(response.Messages);
        var refusal = Assert.Single(message.Contents.OfType<ErrorContent>());
        Assert.Equal("I can't help with that.", refusal.Message);
        Assert.Equal("Refusal", refusal.ErrorCode);
        var call = Assert.Single(message.Contents.OfType<FunctionCallContent>());
        Assert.Equal("f", call.Name);
        Assert.NotNull(call.Exception); // kept, not thrown: the caller decides
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1727346182), response.CreatedAt);
        Assert.Null(response.Usage);
    }

    [Fact]
    public async Task Stream_TextInOrder_RefusalGathered_CrlfFraming_AndNothingReadAfterDone()
    {
        var stream = OpenAIWire.Chunk("""{"role":"assistant","content":""}""").Replace("\n", "\r\n", StringComparison.Ordinal)
            + OpenAIWire.Chunk("""{"content":"Bon"}""")
            + ": keep-alive comment\n\n"
            + OpenAIWire.Chunk("""{"content":"jour"}""")
            + OpenAIWire.Chunk("""{"refusal":"No "}""")
            + OpenAIWire.Chunk("""{"refusal":"more."}""")
            + OpenAIWire.Chunk("{}", "stop")
            + OpenAIWire.Usage(7, 3)
            + "data: [DONE]\n\n"
            + "data: {this would not parse}\n\n";
        _upstream.Sse(stream);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync("hi", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        Assert.Equal("Bonjour", string.Concat(updates.Select(u => u.Text)));
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.Equal("No more.", Assert.Single(updates.SelectMany(u => u.Contents).OfType<ErrorContent>()).Message);
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal((7, 3), (usage.InputTokenCount, usage.OutputTokenCount));
        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("chatcmpl-3", response.ResponseId);
    }
}
