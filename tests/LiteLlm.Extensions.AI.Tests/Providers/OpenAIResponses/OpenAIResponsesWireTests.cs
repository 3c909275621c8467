using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Providers.OpenAIResponses;

/// <summary>The library's Responses client: which models use it, the requests it writes, and its reading of answers and streams.</summary>
public sealed class OpenAIResponsesWireTests
{
    private const string Key = "sk-test-0123456789";

    private const string Answer = """
        {"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","model":"o3-pro-2025-06-10","output":[
          {"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"Thought."}],"encrypted_content":"enc"},
          {"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello.","annotations":[]}]},
          {"id":"fc_1","type":"function_call","status":"completed","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}],
         "usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":4},"output_tokens":30,"output_tokens_details":{"reasoning_tokens":20},"total_tokens":42}}
        """;

    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CatalogModeResponses_GoesToSlashResponses_TranslatingMeaiOptions()
    {
        _upstream.Json(Answer);
        var options = new ChatOptions
        {
            Instructions = "Be brief.",
            MaxOutputTokens = 100,
            Temperature = 0.2f,
            AllowMultipleToolCalls = false,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement)],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "sys"),
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_0", "get_weather", new Dictionary<string, object?> { ["city"] = "Rome" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_0", "sunny")]),
        ];

        var response = await Client("openai/o3-pro").GetResponseAsync(messages, options, Ct);

        var request = _upstream.LastRequest;
        Assert.Equal("https://api.openai.com/v1/responses", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + Key, request.Header("Authorization"));
        AssertJson("""
            {"model":"o3-pro","instructions":"Be brief.","input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"sys"}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"}]},
              {"type":"function_call","call_id":"call_0","name":"get_weather","arguments":"{\"city\":\"Rome\"}"},
              {"type":"function_call_output","call_id":"call_0","output":"sunny"}],
             "max_output_tokens":100,"temperature":0.2,"parallel_tool_calls":false,"reasoning":{"effort":"high"},
             "tools":[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":false}],
             "tool_choice":{"type":"function","name":"get_weather"}}
            """, request.Body);

        Assert.Equal("Hello.", response.Text);
        var reasoning = Assert.IsType<TextReasoningContent>(response.Messages[0].Contents[0]);
        Assert.Equal(("Thought.", "enc"), (reasoning.Text, reasoning.ProtectedData));
        var call = Assert.IsType<FunctionCallContent>(response.Messages[0].Contents[2]);
        Assert.Equal("Paris", call.Arguments!["city"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal((12L, 30L, 4L, 20L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value, response.Usage.CachedInputTokenCount!.Value, response.Usage.ReasoningTokenCount!.Value));
        Assert.Equal("o3-pro-2025-06-10", response.ModelId);
        var raw = Assert.IsType<WireJson>(response.RawRepresentation);
        Assert.Equal(WireFormat.OpenAIResponses, raw.Format);
        Assert.Equal("resp_1", raw.Json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task CallersBody_IsSentAsItCame_WithOnlyModelAndStreamChanged()
    {
        _upstream.Sse(string.Concat(
            Event("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_2","status":"in_progress","model":"gpt-4o-mini","output":[]}}"""),
            Event("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"""),
            Event("response.completed", """{"type":"response.completed","sequence_number":2,"response":{"id":"resp_2","status":"completed","model":"gpt-4o-mini","output":[],"usage":{"input_tokens":3,"output_tokens":1,"total_tokens":4}}}""")));
        const string Body = """{"model":"caller-name","input":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search"}],"include":["reasoning.encrypted_content"],"store":false,"x_new":1}""";
        var body = JsonDocument.Parse(Body).RootElement;
        var options = new ChatOptions { RawRepresentationFactory = _ => new WireJson(WireFormat.OpenAIResponses, body) };
        List<ChatMessage> messages = [new(ChatRole.User, "hi") { RawRepresentation = new WireJson(WireFormat.OpenAIResponses, body.GetProperty("input")[0]) }];

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client("openai/gpt-4o-mini", useResponsesApi: true).GetStreamingResponseAsync(messages, options, Ct))
        {
            updates.Add(update);
        }

        var sent = JsonNode.Parse(_upstream.LastRequest.Body!)!.AsObject();
        Assert.Equal("gpt-4o-mini", sent["model"]!.GetValue<string>());
        Assert.True(sent["stream"]!.GetValue<bool>());
        var expected = JsonNode.Parse(Body)!.AsObject();
        foreach (var name in new[] { "model", "stream" })
        {
            sent.Remove(name);
            expected.Remove(name);
        }

        Assert.True(JsonNode.DeepEquals(expected, sent), sent.ToJsonString());
        Assert.Equal(["response.created", "response.output_text.delta", "response.completed"], updates.Select(u => ((WireJson)u.RawRepresentation!).EventType));
        Assert.Equal("Hi", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(4, updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details.TotalTokenCount);
    }

    [Fact]
    public async Task ChangedConversation_RewritesInput_CarryingItemsAndTranslatingTheRest()
    {
        _upstream.Json(Answer);
        var body = JsonDocument.Parse("""{"model":"m","input":"hi","instructions":"rules"}""").RootElement;
        var options = new ChatOptions { RawRepresentationFactory = _ => new WireJson(WireFormat.OpenAIResponses, body) };
        var item = JsonDocument.Parse("""{"type":"message","role":"user","content":"hi"}""").RootElement;
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "rules") { RawRepresentation = new WireJson(WireFormat.OpenAIResponses, body.GetProperty("instructions")) },
            new(ChatRole.User, "hi") { RawRepresentation = new WireJson(WireFormat.OpenAIResponses, item) },
            new(ChatRole.User, "added by middleware"),
        ];

        await Client("openai/o3-pro").GetResponseAsync(messages, options, Ct);

        AssertJson("""
            {"model":"o3-pro","instructions":"rules","input":[{"type":"message","role":"user","content":"hi"},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"added by middleware"}]}]}
            """, _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task AzureAndOptOut_AndErrorsAreTheUnifiedOnes()
    {
        _upstream.Json(Answer);
        var azure = TestFactory.Create(_upstream, new Dictionary<string, string> { ["AZURE_API_KEY"] = Key, ["AZURE_API_BASE"] = "https://res.openai.azure.com", ["AZURE_API_VERSION"] = "2025-04-01-preview" })
            .CreateChatClient("azure/o3-pro");
        await azure.GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: Ct);
        Assert.Equal("https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal(Key, _upstream.LastRequest.Header("api-key"));

        // use_responses_api: false keeps a Responses-mode model on chat completions.
        _upstream.Json("""{"id":"c","object":"chat.completion","created":1,"model":"o3-pro","choices":[{"index":0,"message":{"role":"assistant","content":"chat"},"finish_reason":"stop"}]}""");
        await Client("openai/o3-pro", useResponsesApi: false).GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: Ct);
        Assert.EndsWith("/chat/completions", _upstream.LastRequest.Uri.AbsolutePath);

        _upstream.Status(429, """{"error":{"message":"Slow down","type":"requests","code":"rate_limit_exceeded"}}""", ("retry-after", "3"));
        var limited = await Assert.ThrowsAsync<RateLimitException>(() => Client("openai/o3-pro").GetResponseAsync([new(ChatRole.User, "hi")], cancellationToken: Ct));
        Assert.Equal(TimeSpan.FromSeconds(3), limited.RetryAfter);

        _upstream.Sse(Event("response.failed", """{"type":"response.failed","sequence_number":0,"response":{"id":"r","status":"failed","error":{"code":"server_error","message":"boom"}}}"""));
        await Assert.ThrowsAnyAsync<LiteLlmException>(async () =>
        {
            await foreach (var _ in Client("openai/o3-pro").GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: Ct))
            {
            }
        });
    }

    private static string Event(string type, string data) => $"event: {type}\ndata: {data}\n\n";

    private IChatClient Client(string model, bool? useResponsesApi = null)
    {
        var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key });
        return useResponsesApi is { } use
            ? factory.CreateChatClient(model, new ProviderOptions { Settings = new Dictionary<string, object?> { ["use_responses_api"] = use } })
            : factory.CreateChatClient(model);
    }

    private static void AssertJson(string expected, string? actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual ?? "null");
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }
}
