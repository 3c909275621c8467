using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Cohere;

/// <summary>What leaves the machine for Cohere v2 (URL, headers, exact JSON), and the spec's example streams replayed.</summary>
public sealed class CohereWireTests
{
    private const string Key = "co-test-cohere-0123456789";
    private readonly FakeUpstream _upstream = new();

    private LiteLlmClientFactory Factory() => TestFactory.Create(_upstream, new Dictionary<string, string> { ["COHERE_API_KEY"] = Key });

    private IChatClient Client() => Factory().CreateChatClient("cohere_chat/command-r-plus");

    private static AIFunctionDeclaration WeatherTool() => AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather",
        JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""").RootElement);

    private static string SpecStream(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Providers", "Cohere", "Data", name));

    private async Task<List<ChatResponseUpdate>> StreamAsync(ChatOptions? options = null)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync("Hi", options, TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task Unary_PostsV2ChatWithBearerKey()
    {
        _upstream.Json(CohereWire.Text("Hi there"));
        var response = await Client().GetResponseAsync("Hello", cancellationToken: TestContext.Current.CancellationToken);

        var request = _upstream.LastRequest;
        Assert.Equal("https://api.cohere.com/v2/chat", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + Key, request.Header("Authorization"));
        JsonAssert.Equal("""{"model":"command-r-plus","messages":[{"role":"user","content":"Hello"}]}""", request.Body);
        Assert.Equal("Hi there", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("command-r-plus", response.ModelId);
    }

    [Fact]
    public async Task Stream_SetsStreamTrue()
    {
        _upstream.Sse(CohereWire.TextStream(["a"]));
        await StreamAsync();

        Assert.Equal("https://api.cohere.com/v2/chat", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.True(_upstream.LastRequest.Json.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task SystemImagesParamsAndJsonSchema_AreTranslated()
    {
        _upstream.Json(CohereWire.Text("{}"));
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new UriContent("https://example.com/cat.jpg", "image/jpeg")]),
        ];
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in French.",
            Temperature = 0.5f,
            TopP = 0.75f,
            TopK = 40,
            MaxOutputTokens = 100,
            StopSequences = ["END"],
            Seed = 7,
            FrequencyPenalty = 0.25f,
            PresencePenalty = 0.5f,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "thing"),
        };

        await Client().GetResponseAsync(messages, options, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""
            {"model":"command-r-plus","messages":[
               {"role":"system","content":"Answer in French."},
               {"role":"system","content":"Be brief."},
               {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}},{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}],
             "max_tokens":100,"temperature":0.5,"p":0.75,"k":40,"seed":7,"frequency_penalty":0.25,"presence_penalty":0.5,"stop_sequences":["END"],
             "response_format":{"type":"json_object","json_schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}
            """, _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task JsonMode_IsJsonObject()
    {
        _upstream.Json(CohereWire.Text("{}"));
        await Client().GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Json }, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""{"type":"json_object"}""", _upstream.LastRequest.Json.GetProperty("response_format").GetRawText());
    }

    [Fact]
    public async Task ToolsCallsAndResults_AreTranslated()
    {
        _upstream.Json(CohereWire.Text("Sunny."));
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new TextReasoningContent("I will look it up."), new FunctionCallContent("get_weather_abc", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("get_weather_abc", new Dictionary<string, object?> { ["temp"] = 21 })]),
        ];
        var options = new ChatOptions { Tools = [WeatherTool()], ToolMode = ChatToolMode.RequireAny };

        await Client().GetResponseAsync(messages, options, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""
            {"model":"command-r-plus","messages":[
               {"role":"user","content":"Weather in Paris?"},
               {"role":"assistant","tool_plan":"I will look it up.","tool_calls":[{"id":"get_weather_abc","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
               {"role":"tool","tool_call_id":"get_weather_abc","content":"{\"temp\":21}"}],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Gets the weather","parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}],
             "tool_choice":"REQUIRED"}
            """, _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task NoneToolMode_IsToolChoiceNone()
    {
        _upstream.Json(CohereWire.Text("ok"));
        await Client().GetResponseAsync("Hi", new ChatOptions { Tools = [WeatherTool()], ToolMode = ChatToolMode.None }, TestContext.Current.CancellationToken);

        Assert.Equal("NONE", _upstream.LastRequest.Json.GetProperty("tool_choice").GetString());
    }

    [Fact]
    public async Task UnaryToolCall_WithThinkingBlock_FromTheSpecExample()
    {
        _upstream.Json("""
            {"id":"9e5f00aa","message":{"role":"assistant","content":[{"type":"thinking","thinking":"I will first find the sales summary."}],
             "tool_calls":[{"id":"query_daily_sales_report_hgxxmkby3wta","type":"function","function":{"name":"query_daily_sales_report","arguments":"{\"day\": \"2023-09-29\"}"}},
                           {"id":"query_product_catalog_rpg0z5h8yyz2","type":"function","function":{"name":"query_product_catalog","arguments":"{\"category\": \"Electronics\"}"}}]},
             "finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":127,"output_tokens":69},"tokens":{"input_tokens":1032,"output_tokens":124}}}
            """);
        var response = await Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken);

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Equal("I will first find the sales summary.", Assert.Single(contents.OfType<TextReasoningContent>()).Text);
        var calls = contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["query_daily_sales_report", "query_product_catalog"], calls.Select(c => c.Name));
        Assert.Equal("2023-09-29", calls[0].Arguments?["day"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(1032, response.Usage?.InputTokenCount);
        Assert.Equal(124, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task SpecTextStream_IsReassembled()
    {
        _upstream.Sse(SpecStream("spec-stream-text.sse"));
        var response = (await StreamAsync()).ToChatResponse();

        Assert.Equal("LLMs stand for Large Language Models, which are a type of neural network model specialized in processing and generating human language.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(71, response.Usage?.InputTokenCount);
        Assert.Equal(26, response.Usage?.OutputTokenCount);
        Assert.Equal("29f14a5a-11de-4cae-9800-25e4747408ea", response.ResponseId);
    }

    [Fact]
    public async Task SpecToolStream_AssemblesBothCallsAndThePlan()
    {
        _upstream.Sse(SpecStream("spec-stream-tools.sse"));
        var updates = await StreamAsync(new ChatOptions { Tools = [WeatherTool()] });

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal("query_daily_sales_report_j3f0adww9pmr", calls[0].CallId);
        Assert.Equal("2023-09-29", calls[0].Arguments?["day"]?.ToString());
        Assert.Equal("query_product_catalog", calls[1].Name);
        Assert.Equal("Electronics", calls[1].Arguments?["category"]?.ToString());
        var plan = string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.StartsWith("I will use the query_daily_sales_report tool", plan, StringComparison.Ordinal);
        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(1589, response.Usage?.InputTokenCount);
        Assert.Equal(135, response.Usage?.OutputTokenCount);
        Assert.Equal(string.Empty, response.Text);
    }

    [Fact]
    public async Task Embeddings_PostV2EmbedWithFloatTypes_AndInputTypeOverride()
    {
        const string answer = """{"id":"da6e531f","texts":["hello","goodbye"],"embeddings":{"float":[[0.5,0.25],[0.125,1.0]]},"meta":{"api_version":{"version":"2"},"billed_units":{"input_tokens":2}}}""";
        _upstream.Json(answer).Json(answer);
        var generator = Factory().CreateEmbeddingGenerator("cohere/embed-v4.0");

        var result = await generator.GenerateAsync(["hello", "goodbye"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("https://api.cohere.com/v2/embed", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + Key, _upstream.LastRequest.Header("Authorization"));
        JsonAssert.Equal("""{"model":"embed-v4.0","texts":["hello","goodbye"],"input_type":"search_document","embedding_types":["float"]}""", _upstream.LastRequest.Body);
        Assert.Equal([0.125f, 1.0f], result[1].Vector.ToArray());
        Assert.Equal(2, result.Usage?.InputTokenCount);

        await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { Dimensions = 256, AdditionalProperties = new() { ["input_type"] = "search_query" } }, TestContext.Current.CancellationToken);
        JsonAssert.Equal("""{"model":"embed-v4.0","texts":["hello"],"input_type":"search_query","embedding_types":["float"],"output_dimension":256}""", _upstream.LastRequest.Body);
    }

    [Theory]
    [InlineData(498, "blocked output: the generated text contains a deny-listed token", typeof(ContentPolicyViolationException))]
    [InlineData(400, "too many tokens: size limit exceeded by 11326 tokens. Try using shorter or fewer inputs.", typeof(ContextWindowExceededException))]
    [InlineData(429, "You are using a Trial key, which is limited to 40 API calls / minute.", typeof(RateLimitException))]
    [InlineData(401, "invalid api token", typeof(AuthenticationException))]
    [InlineData(499, "request cancelled", typeof(BadRequestException))]
    public void ErrorMapper_MapsCohereErrorBodies(int status, string message, Type expected)
    {
        var error = ErrorMapper.FromResponse("cohere", "command-r-plus", status, CohereWire.Error(message));
        Assert.IsType(expected, error);
        Assert.Equal(message, error.ProviderMessage);
    }

    [Fact]
    public void MissingKey_IsAnAuthenticationError()
        => Assert.Throws<AuthenticationException>(() => TestFactory.Create(_upstream).CreateChatClient("cohere/command-r"));

    [Fact]
    public void BareCommandModel_ResolvesToCohere()
        => Assert.Equal("cohere_chat", Factory().Resolve("command-r-plus").Provider.Name);
}
