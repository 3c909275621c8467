using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Gemini;

/// <summary>What leaves the machine for Gemini: URL, headers and the exact request JSON.</summary>
public sealed class GeminiWireTests
{
    private const string Key = "AIza-test-gemini-0123456789";
    private readonly FakeUpstream _upstream = new();

    private IChatClient Client(string model = "gemini/gemini-2.0-flash", Dictionary<string, string>? env = null)
        => TestFactory.Create(_upstream, env ?? new() { ["GEMINI_API_KEY"] = Key }).CreateChatClient(model);

    private static AIFunctionDeclaration WeatherTool() => AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", JsonDocument.Parse("""
        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","additionalProperties":false,
         "properties":{"location":{"type":"string","description":"City"},"unit":{"type":["string","null"],"enum":["c","f"]},
                       "days":{"type":"array","items":{"type":"object","additionalProperties":false,"properties":{"additionalProperties":{"type":"integer"}}}}},
         "required":["location"]}
        """).RootElement);

    [Theory]
    [InlineData("https://gemini.example")] // the host root, as Google's own SDKs take it
    [InlineData("https://gemini.example/")]
    [InlineData("https://gemini.example/v1beta")]
    [InlineData("https://gemini.example/v1beta/")]
    [InlineData("https://gemini.example/v1beta/models/gemini-2.0-flash")] // LiteLLM's full model prefix
    public async Task ApiBase_EveryFormReachesTheModelMethod(string apiBase)
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("Hi")));
        var client = TestFactory.Create(_upstream, new Dictionary<string, string> { ["GEMINI_API_KEY"] = Key })
            .CreateChatClient("gemini/gemini-2.0-flash", new LiteLlm.Providers.ProviderOptions { ApiBase = apiBase });
        await client.GetResponseAsync("Hello", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("https://gemini.example/v1beta/models/gemini-2.0-flash:generateContent", _upstream.LastRequest.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task Unary_PostsGenerateContentWithKeyHeader()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("Hi")));
        var response = await Client().GetResponseAsync("Hello", cancellationToken: TestContext.Current.CancellationToken);

        var request = _upstream.LastRequest;
        Assert.Equal("POST", request.Method);
        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent", request.Uri.AbsoluteUri);
        Assert.Equal(Key, request.Header("x-goog-api-key"));
        Assert.Null(request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        JsonAssert.Equal("""{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"generationConfig":{"candidateCount":1}}""", request.Body);
        Assert.Equal("Hi", response.Text);
        Assert.Equal("gemini-2.0-flash", response.ModelId);
        Assert.Equal("resp-1", response.ResponseId);
    }

    [Fact]
    public async Task Stream_UsesStreamGenerateContentWithAltSse_AndBaseAndKeyFromTheirVariables()
    {
        _upstream.Sse(GeminiWire.TextStream(["a", "b"]));
        var env = new Dictionary<string, string> { ["GOOGLE_API_KEY"] = "google-key-0123", ["GEMINI_API_BASE"] = "https://proxy.example/gemini/v1beta" };
        await foreach (var _ in Client(env: env).GetStreamingResponseAsync("Hello", cancellationToken: TestContext.Current.CancellationToken))
        {
        }

        Assert.Equal("https://proxy.example/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal("google-key-0123", _upstream.LastRequest.Header("x-goog-api-key"));
    }

    [Fact]
    public async Task SystemImagesParamsAndJsonSchema_AreTranslated()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("{}")));
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new UriContent("https://example.com/cat.jpg", "image/jpeg")]),
        ];
        var schema = JsonDocument.Parse("""{"$schema":"x","type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}""").RootElement;
        var options = new ChatOptions
        {
            Instructions = "Answer in French.",
            Temperature = 0.5f,
            TopP = 0.9f,
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
            {"systemInstruction":{"parts":[{"text":"Answer in French."},{"text":"Be brief."}]},
             "contents":[{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"AQID"}},{"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}}]}],
             "generationConfig":{"temperature":0.5,"topP":0.9,"topK":40,"maxOutputTokens":100,"seed":7,"frequencyPenalty":0.25,"presencePenalty":0.5,
               "stopSequences":["END"],"responseMimeType":"application/json",
               "responseSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]},"candidateCount":1}}
            """, _upstream.LastRequest.Body);
    }

    [Fact]
    public async Task JsonMode_SetsTheMimeTypeOnly()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("{}")));
        await Client().GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Json }, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""{"responseMimeType":"application/json","candidateCount":1}""", _upstream.LastRequest.Json.GetProperty("generationConfig").GetRawText());
    }

    [Fact]
    public async Task ToolsToolConfigCallsAndResults_AreTranslated()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("Sunny.")));
        var call = new FunctionCallContent("call-abc", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" })
        {
            AdditionalProperties = new() { ["thoughtSignature"] = "c2ln" },
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [call]),
            new(ChatRole.Tool, [new FunctionResultContent("call-abc", "sunny")]),
        ];
        var options = new ChatOptions { Tools = [WeatherTool()], ToolMode = ChatToolMode.RequireSpecific("get_weather") };

        await Client().GetResponseAsync(messages, options, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""
            {"contents":[
               {"role":"user","parts":[{"text":"Weather in Paris?"}]},
               {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"location":"Paris"},"id":"call-abc"},"thoughtSignature":"c2ln"}]},
               {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny"},"id":"call-abc"}}]}],
             "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Gets the weather","parameters":
               {"type":"object","properties":{"location":{"type":"string","description":"City"},"unit":{"type":"string","nullable":true,"enum":["c","f"]},
                "days":{"type":"array","items":{"type":"object","properties":{"additionalProperties":{"type":"integer"}}}}},"required":["location"]}}]}],
             "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}},
             "generationConfig":{"candidateCount":1}}
            """, _upstream.LastRequest.Body);
    }

    [Theory]
    [InlineData("auto", "AUTO")]
    [InlineData("none", "NONE")]
    [InlineData("any", "ANY")]
    public async Task ToolModes_MapToFunctionCallingModes(string mode, string expected)
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("ok")));
        ChatToolMode toolMode = mode switch { "auto" => ChatToolMode.Auto, "none" => ChatToolMode.None, _ => ChatToolMode.RequireAny };
        await Client().GetResponseAsync("Hi", new ChatOptions { Tools = [WeatherTool()], ToolMode = toolMode }, TestContext.Current.CancellationToken);

        JsonAssert.Equal($$$"""{"functionCallingConfig":{"mode":"{{{expected}}}"}}""", _upstream.LastRequest.Json.GetProperty("toolConfig").GetRawText());
    }

    [Fact]
    public async Task CallWithoutId_GetsASyntheticIdThatIsNotSentBack()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Call(), "STOP", 20, 9));
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("Sunny.")));
        var client = Client();
        List<ChatMessage> messages = [new(ChatRole.User, "Weather in Paris?")];
        var options = new ChatOptions { Tools = [WeatherTool()] };

        var first = await client.GetResponseAsync(messages, options, TestContext.Current.CancellationToken);
        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.StartsWith("call_", call.CallId, StringComparison.Ordinal);
        messages.AddRange(first.Messages);
        messages.Add(new(ChatRole.Tool, [new FunctionResultContent(call.CallId, new Dictionary<string, object?> { ["temp"] = 21 })]));
        await client.GetResponseAsync(messages, options, TestContext.Current.CancellationToken);

        var contents = _upstream.LastRequest.Json.GetProperty("contents");
        JsonAssert.Equal("""{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"location":"Paris"}}}]}""", contents[1].GetRawText());
        JsonAssert.Equal("""{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"temp":21}}}]}""", contents[2].GetRawText());
    }

    [Fact]
    public async Task ExtraProperties_PassThroughIntoTheBody()
    {
        _upstream.Json(GeminiWire.Response(GeminiWire.Text("ok")));
        var options = new ChatOptions { AdditionalProperties = new() { ["safetySettings"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]""") } };
        await Client().GetResponseAsync("Hi", options, TestContext.Current.CancellationToken);

        JsonAssert.Equal("""[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]""", _upstream.LastRequest.Json.GetProperty("safetySettings").GetRawText());
    }

    [Fact]
    public async Task Embeddings_UseBatchEmbedContents()
    {
        _upstream.Json("""{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]}""");
        var generator = TestFactory.Create(_upstream, new Dictionary<string, string> { ["GEMINI_API_KEY"] = Key }).CreateEmbeddingGenerator("gemini/text-embedding-004");

        var result = await generator.GenerateAsync(["a", "b"], new EmbeddingGenerationOptions { Dimensions = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents", _upstream.LastRequest.Uri.AbsoluteUri);
        Assert.Equal(Key, _upstream.LastRequest.Header("x-goog-api-key"));
        JsonAssert.Equal("""
            {"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]},"outputDimensionality":2},
                         {"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]},"outputDimensionality":2}]}
            """, _upstream.LastRequest.Body);
        Assert.Equal(2, result.Count);
        Assert.Equal([0.3f, 0.4f], result[1].Vector.ToArray());
    }

    [Fact]
    public void MissingKey_IsAnAuthenticationError()
        => Assert.Throws<AuthenticationException>(() => TestFactory.Create(_upstream).CreateChatClient("gemini/gemini-2.0-flash"));
}
