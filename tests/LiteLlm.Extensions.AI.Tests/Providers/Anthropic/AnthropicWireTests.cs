using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Providers.Anthropic;

namespace LiteLlm.Tests.Providers.Anthropic;

/// <summary>The exact requests our Anthropic translator sends, and its reading of recorded streams.</summary>
public sealed class AnthropicWireTests
{
    private const string Key = "sk-ant-test-0123456789";
    private const string Model = "claude-sonnet-4-5";
    private static readonly JsonElement WeatherSchema = JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""").RootElement;

    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAnswerInAnotherShape_IsAnError_NotAnEmptyAnswer()
    {
        // An anthropic/ deployment pointed at an OpenAI-compatible server.
        _upstream.Json(LiteLlm.Tests.Providers.OpenAI.OpenAIWire.Completion("hello"));
        var error = await Assert.ThrowsAsync<LiteLlm.Errors.InternalServerException>(() => Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("not an Anthropic Messages object", error.Message, StringComparison.Ordinal);
        Assert.Equal(502, error.HttpStatus);
    }

    [Fact]
    public async Task Headers_AreClassicApiKeyAndPinnedVersion()
    {
        var request = await SendAsync([new(ChatRole.User, "Hi")]);

        Assert.Equal("POST", request.Method);
        Assert.Equal("https://api.anthropic.com/v1/messages", request.Uri.AbsoluteUri);
        Assert.Equal(Key, request.Header("x-api-key"));
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
        Assert.Null(request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"));
        AssertJson($$$"""{"model":"{{{Model}}}","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}""", request.Body);
    }

    [Theory]
    [InlineData("https://proxy.example.com/anthropic", "https://proxy.example.com/anthropic/v1/messages")]
    [InlineData("https://proxy.example.com/anthropic/v1", "https://proxy.example.com/anthropic/v1/messages")]
    [InlineData("https://proxy.example.com/anthropic/v1/", "https://proxy.example.com/anthropic/v1/messages")]
    public async Task ApiBase_WithOrWithoutV1_IsNotDoubled(string apiBase, string expected)
    {
        var request = await SendAsync([new(ChatRole.User, "Hi")], environment: new() { ["ANTHROPIC_API_BASE"] = apiBase });

        Assert.Equal(expected, request.Uri.AbsoluteUri);
        Assert.Null(request.Header("x-api-key")); // no key for a custom base: none is sent
        Assert.Equal("2023-06-01", request.Header("anthropic-version"));
    }

    [Fact]
    public async Task SystemMessages_AndInstructions_AreLiftedToTopLevel()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are terse."),
            new(ChatRole.User, "Hi"),
            new(ChatRole.Assistant, "Hello."),
            new(ChatRole.System, "Answer in French from now on."),
            new(ChatRole.User, "How are you?"),
            new(ChatRole.User, "And the weather?"),
        ];

        var request = await SendAsync(messages, new ChatOptions { Instructions = "Be kind." });

        AssertJson($$$"""
            {"model":"{{{Model}}}","max_tokens":4096,
             "system":"Be kind.\n\nYou are terse.\n\nAnswer in French from now on.",
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Hi"}]},
               {"role":"assistant","content":[{"type":"text","text":"Hello."}]},
               {"role":"user","content":[{"type":"text","text":"How are you?"},{"type":"text","text":"And the weather?"}]}]}
            """, request.Body);
    }

    [Fact]
    public async Task ToolCalls_AndResults_FoldIntoToolUseAndOneUserMessage()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris and Rome?"),
            new(ChatRole.Assistant, [
                new TextContent("Checking both."),
                new FunctionCallContent("toolu_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" }),
                new FunctionCallContent("toolu_2", "get_weather", new Dictionary<string, object?> { ["location"] = "Rome", ["days"] = 2 })]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_1", JsonDocument.Parse("""{"temp":21}""").RootElement)]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_2", null) { Exception = new InvalidOperationException("service down") }]),
            new(ChatRole.User, "Thanks"),
        ];

        var request = await SendAsync(messages, new ChatOptions { Tools = [Weather()] });

        AssertJson($$$"""
            {"model":"{{{Model}}}","max_tokens":4096,
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
               {"role":"assistant","content":[
                 {"type":"text","text":"Checking both."},
                 {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris"}},
                 {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"location":"Rome","days":2}}]},
               {"role":"user","content":[
                 {"type":"tool_result","tool_use_id":"toolu_1","content":"{\"temp\":21}"},
                 {"type":"tool_result","tool_use_id":"toolu_2","content":"Error: service down","is_error":true},
                 {"type":"text","text":"Thanks"}]}],
             "tools":[{"name":"get_weather","description":"Gets the weather","input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}]}
            """, request.Body);
    }

    [Fact]
    public async Task Images_AreBase64OrUrlBlocks()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        List<ChatMessage> messages =
        [
            new(ChatRole.User, [
                new TextContent("What is in these?"),
                new DataContent(png, "image/png"),
                new UriContent("https://example.com/cat.jpg", "image/jpeg")]),
        ];

        var request = await SendAsync(messages);

        AssertJson($$$"""
            {"model":"{{{Model}}}","max_tokens":4096,
             "messages":[{"role":"user","content":[
               {"type":"text","text":"What is in these?"},
               {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw=="}},
               {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]}
            """, request.Body);
    }

    [Fact]
    public async Task Body_KeepsBase64AndNonAsciiTextUnescaped()
    {
        List<ChatMessage> messages = [new(ChatRole.User, [new TextContent("Où est la gare ? 駅"), new DataContent(new byte[] { 0xFB, 0xEF, 0xBE }, "image/png")])];

        var request = await SendAsync(messages);

        Assert.Contains("\"data\":\"++++\"", request.Body);
        Assert.Contains("Où est la gare ? 駅", request.Body);
    }

    [Fact]
    public async Task Documents_PdfAndPlainText_AreDocumentBlocks()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, [
                new DataContent("%PDF"u8.ToArray(), "application/pdf"),
                new DataContent("notes"u8.ToArray(), "text/plain"),
                new UriContent("https://example.com/a.pdf", "application/pdf")]),
        ];

        var request = await SendAsync(messages);

        AssertJson("""
            [{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERg=="}},
             {"type":"document","source":{"type":"text","media_type":"text/plain","data":"notes"}},
             {"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]
            """, request.Json.GetProperty("messages")[0].GetProperty("content").GetRawText());
    }

    [Fact]
    public async Task UnsupportedMedia_IsRefused_NotDroppedSilently()
    {
        List<ChatMessage> messages = [new(ChatRole.User, [new TextContent("Listen"), new DataContent(new byte[] { 1, 2 }, "audio/wav")])];

        var error = await Assert.ThrowsAsync<BadRequestException>(() => Client().GetResponseAsync(messages, null, Ct));

        Assert.Contains("audio/wav", error.Message);
        Assert.Empty(_upstream.Requests);
    }

    public static TheoryData<string, string> ToolModes() => new()
    {
        { "auto", """{"type":"auto"}""" },
        { "any", """{"type":"any"}""" },
        { "specific", """{"type":"tool","name":"get_weather"}""" },
        { "none", """{"type":"none"}""" },
        { "single", """{"type":"auto","disable_parallel_tool_use":true}""" },
        { "any-single", """{"type":"any","disable_parallel_tool_use":true}""" },
    };

    [Theory]
    [MemberData(nameof(ToolModes))]
    public async Task ToolChoice_FollowsToolModeAndParallelism(string mode, string expectedChoice)
    {
        var options = new ChatOptions
        {
            Tools = [Weather()],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "any" or "any-single" => ChatToolMode.RequireAny,
                "specific" => ChatToolMode.RequireSpecific("get_weather"),
                "none" => ChatToolMode.None,
                _ => null,
            },
            AllowMultipleToolCalls = mode.EndsWith("single") ? false : null,
        };

        var request = await SendAsync([new(ChatRole.User, "Weather?")], options);

        AssertJson(expectedChoice, request.Json.GetProperty("tool_choice").GetRawText());
        Assert.Equal("get_weather", request.Json.GetProperty("tools")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task NoToolMode_SendsNoToolChoice()
    {
        var request = await SendAsync([new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [Weather()] });

        Assert.False(request.Json.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public async Task SamplingParameters_AreAllSent()
    {
        var options = new ChatOptions
        {
            MaxOutputTokens = 300,
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            StopSequences = ["END", "STOP"],
            // No Seed: Anthropic has none, and since drop_params it is refused (or dropped) rather than silently
            // ignored; see Conveniences/DropParamsTests.
        };

        var request = await SendAsync([new(ChatRole.User, "Hi")], options);

        AssertJson($$$"""
            {"model":"{{{Model}}}","max_tokens":300,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END","STOP"],
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}
            """, request.Body);
    }

    [Fact]
    public async Task AdditionalProperties_PassThroughToTheBody_ButReservedOnesDoNot()
    {
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["metadata_custom"] = new Dictionary<string, string> { ["user_id"] = "u-42" },
                ["metadata"] = new Dictionary<string, string> { ["trace"] = "library-only" },
                ["service_tier"] = "auto",
            },
        };

        var request = await SendAsync([new(ChatRole.User, "Hi")], options);

        AssertJson("""{"user_id":"u-42"}""", request.Json.GetProperty("metadata_custom").GetRawText());
        Assert.Equal("auto", request.Json.GetProperty("service_tier").GetString());
        Assert.False(request.Json.TryGetProperty("metadata", out _));
    }

    [Fact]
    public async Task Reasoning_EnablesThinking_AndSignedThinkingRoundTrips()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "2+2?"),
            new(ChatRole.Assistant, [new TextReasoningContent("Add them.") { ProtectedData = "sig-1" }, new TextReasoningContent("unsigned"), new TextContent("4")]),
            new(ChatRole.User, "Sure?"),
        ];

        var request = await SendAsync(messages, new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } });

        AssertJson($$$"""
            {"model":"{{{Model}}}","max_tokens":5120,"thinking":{"type":"enabled","budget_tokens":1024},
             "messages":[
               {"role":"user","content":[{"type":"text","text":"2+2?"}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"Add them.","signature":"sig-1"},{"type":"text","text":"4"}]},
               {"role":"user","content":[{"type":"text","text":"Sure?"}]}]}
            """, request.Body);
    }

    [Fact]
    public async Task JsonSchemaResponseFormat_ForcesATool_AndReturnsItsInputAsText()
    {
        _upstream.Json(AnthropicWire.Message("""{"type":"tool_use","id":"toolu_9","name":"weather_report","input":{"location":"Paris"}}""", "tool_use"));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather_report") };

        var response = await Client().GetResponseAsync([new(ChatRole.User, "Weather?")], options, Ct);

        var body = _upstream.LastRequest.Json;
        AssertJson("""{"type":"tool","name":"weather_report"}""", body.GetProperty("tool_choice").GetRawText());
        AssertJson(WeatherSchema.GetRawText(), body.GetProperty("tools")[0].GetProperty("input_schema").GetRawText());
        AssertJson("""{"location":"Paris"}""", response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task JsonSchemaResponseFormat_Streamed_YieldsTheInputAsTextAndStop()
    {
        _upstream.Sse(AnthropicWire.MessageStart()
            + AnthropicWire.Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_9","name":"weather_report","input":{}}}""")
            + AnthropicWire.Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}""")
            + AnthropicWire.Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"location\": "}}""")
            + AnthropicWire.Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}""")
            + AnthropicWire.Event("content_block_stop", """{"type":"content_block_stop","index":0}""")
            + AnthropicWire.MessageEnd("tool_use"));
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(WeatherSchema, "weather_report") };

        var updates = await StreamAsync(options);

        var response = updates.ToChatResponse();
        AssertJson("""{"location":"Paris"}""", response.Text);
        Assert.Empty(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Stream_SendsStreamTrue()
    {
        _upstream.Sse(AnthropicWire.TextStream(["Hi"]));

        await foreach (var _ in Client().GetStreamingResponseAsync([new(ChatRole.User, "Hi")], null, Ct))
        {
        }

        Assert.True(_upstream.LastRequest.Json.GetProperty("stream").GetBoolean());
        Assert.Contains("text/event-stream", _upstream.LastRequest.Header("Accept"));
    }

    [Fact]
    public async Task Response_MapsContentUsageWithCacheAndRawRepresentation()
    {
        _upstream.Json("""
            {"id":"msg_01A","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[{"type":"thinking","thinking":"Hmm.","signature":"sig-9"},{"type":"text","text":"Hello"},{"type":"tool_use","id":"toolu_7","name":"get_weather","input":{"location":"Paris","days":3}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":20}}
            """);

        var response = await Client().GetResponseAsync([new(ChatRole.User, "Hi")], null, Ct);

        Assert.Equal("msg_01A", response.ResponseId);
        Assert.Equal("claude-sonnet-4-5-20250929", response.ModelId);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("Hello", response.Text);
        var contents = response.Messages.Single().Contents;
        var reasoning = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal(("Hmm.", "sig-9"), (reasoning.Text, reasoning.ProtectedData));
        var call = Assert.IsType<FunctionCallContent>(contents[2]);
        Assert.Equal(("toolu_7", "get_weather", "Paris", 3), (call.CallId, call.Name, call.Arguments!["location"]!.ToString(), ((JsonElement)call.Arguments["days"]!).GetInt32()));
        Assert.Equal(115, response.Usage!.InputTokenCount);
        Assert.Equal(100, response.Usage.CachedInputTokenCount);
        Assert.Equal(5, response.Usage.AdditionalCounts![AnthropicResponseParser.CacheCreationInputTokens]);
        Assert.Equal(20, response.Usage.OutputTokenCount);
        Assert.Equal(135, response.Usage.TotalTokenCount);
        Assert.Equal("msg_01A", Assert.IsType<WireJson>(response.RawRepresentation).Json.GetProperty("id").GetString());
    }

    [Fact]
    public void Metadata_IsAnthropicAndTheClientIsReachable()
    {
        using var client = Client();

        Assert.Equal("anthropic", client.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.NotNull(client.GetService<AnthropicChatClient>());
    }

    [Fact]
    public async Task Fixture_ToolUseStream_YieldsOneParsedCall()
    {
        _upstream.Sse(Fixtures.Read("anthropic/tool_use_response.txt"));

        var updates = await StreamAsync(new ChatOptions { Tools = [Weather()] });

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("toolu_01NRLabsLyVHZPKxbKvkfSMn", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Null(call.Exception);
        Assert.Equal("Paris", call.Arguments!["location"]!.ToString());
        var response = updates.ToChatResponse();
        Assert.Equal("I'll check the current weather in Paris for you.", response.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("msg_019Q1hrJbZG26Fb9BQhrkHEr", response.ResponseId);
        Assert.Equal(377, response.Usage!.InputTokenCount);
        Assert.Equal(65, response.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Fixture_BasicStream_YieldsTextDeltasAtOnce()
    {
        _upstream.Sse(Fixtures.Read("anthropic/basic_response.txt"));

        var updates = await StreamAsync();

        Assert.Equal(["Hello", " there", "!"], updates.Select(u => u.Text).Where(t => t.Length > 0));
        var response = updates.ToChatResponse();
        Assert.Equal("Hello there!", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("claude-opus-4-8", response.ModelId);
        Assert.Equal((11, 6, 17), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
    }

    [Fact]
    public async Task Fixture_Refusal_IsContentFilter_WithSignedThinking()
    {
        _upstream.Sse(Fixtures.Read("anthropic/stream-a-refusal.sse"));

        var updates = await StreamAsync();

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal("Hi", response.Text);
        Assert.Equal("msg_fixture_a_0001", response.ResponseId);
        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.StartsWith("Simple educational question", string.Concat(reasoning.Select(r => r.Text)));
        Assert.Equal("c3ludGhldGljLXNpZ25hdHVyZS1maXh0dXJlLWEtbm90LWEtcmVhbC1zaWduYXR1cmU=", reasoning.Single(r => r.ProtectedData is not null).ProtectedData);
        Assert.Equal((28, 106, 67), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.ReasoningTokenCount));
    }

    [Fact]
    public async Task Fixture_LongTextStream_ReassemblesEveryDelta()
    {
        var sse = Fixtures.Read("anthropic/stream-b-fallback.sse"); // 15 text_delta events, one block
        _upstream.Sse(sse);

        var updates = await StreamAsync();

        var response = updates.ToChatResponse();
        Assert.Equal(15, updates.Count(u => u.Text.Length > 0));
        Assert.StartsWith(" there! Happy to explain.", response.Text);
        Assert.EndsWith("Just let me know what's sparking your interest!", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal((31, 547), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
    }

    [Fact]
    public async Task Fixture_StreamCutInsideToolUse_ReportsTheCallWithAnException()
    {
        _upstream.Sse(Fixtures.Read("anthropic/incomplete_partial_json_response.txt"));

        var updates = await StreamAsync(new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("make_file", "Makes a file", WeatherSchema)] });

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.StartsWith("I'll create a comprehensive tax guide", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("toolu_01EKqbqmZrGRXy18eN7m9kvY", "make_file"), (call.CallId, call.Name));
        Assert.Null(call.Arguments);
        Assert.IsType<InvalidDataException>(call.Exception);
        Assert.Contains("make_file", call.Exception.Message);
        Assert.StartsWith("{\"filename\": \"taxes.txt", (string)call.AdditionalProperties![AnthropicStreamParser.PartialArgumentsKey]!);
        Assert.Equal((450, 124), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
    }

    [Fact]
    public async Task StreamEndingWithoutStopReason_IsAMidStreamConnectionError()
    {
        _upstream.Sse(AnthropicWire.MessageStart() + AnthropicWire.TextBlock(0, "Hel"));

        var received = new List<string>();
        var error = await Assert.ThrowsAsync<ApiConnectionException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync([new(ChatRole.User, "Hi")], null, Ct))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal("Hel", string.Concat(received));
        Assert.True(error.IsMidStream);
    }

    private static AIFunctionDeclaration Weather() => AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", WeatherSchema);

    private IChatClient Client(Dictionary<string, string>? environment = null)
        => TestFactory.Create(_upstream, environment ?? new() { ["ANTHROPIC_API_KEY"] = Key }).CreateChatClient("anthropic/" + Model);

    private async Task<RecordedRequest> SendAsync(List<ChatMessage> messages, ChatOptions? options = null, Dictionary<string, string>? environment = null)
    {
        _upstream.Json(AnthropicWire.Text("ok"));
        await Client(environment).GetResponseAsync(messages, options, Ct);
        return _upstream.LastRequest;
    }

    private async Task<List<ChatResponseUpdate>> StreamAsync(ChatOptions? options = null)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync([new(ChatRole.User, "Go")], options, Ct))
        {
            updates.Add(update);
        }

        return updates;
    }

    private static void AssertJson(string expected, string? actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual ?? "null");
        Assert.True(JsonNode.DeepEquals(e, a), $"JSON differs.\nexpected: {e?.ToJsonString()}\nactual:   {a?.ToJsonString()}");
    }
}
