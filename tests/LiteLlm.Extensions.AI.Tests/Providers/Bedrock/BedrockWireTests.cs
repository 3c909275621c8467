using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Providers.Bedrock;

/// <summary>What leaves the machine for Bedrock (URL, headers, signature, body) and how answers are read.</summary>
public class BedrockWireTests
{
    private const string Model = "bedrock/anthropic.claude-3-haiku-20240307-v1:0";
    private static readonly Dictionary<string, string> Env = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_REGION_NAME"] = "us-east-1",
    };

    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("session")]
    [InlineData("longTerm")]
    public async Task Request_IsSignedExactlyAsBotocoreSignsIt(string name)
    {
        var data = BedrockTestData.ConverseSignatures;
        var @case = data.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
        var token = @case.GetProperty("sessionToken").ValueKind == JsonValueKind.String ? @case.GetProperty("sessionToken").GetString() : null;
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        _upstream.Json(BedrockWire.Converse("Hi"));
        using var factory = Factory(new Dictionary<string, string>(), time);
        var settings = new Dictionary<string, object?>
        {
            ["aws_access_key_id"] = data.GetProperty("accessKeyId").GetString(),
            ["aws_secret_access_key"] = data.GetProperty("secretAccessKey").GetString(),
            ["aws_session_token"] = token,
            ["aws_region_name"] = "us-east-1",
        };

        // An extra header configured by the user is added by the HTTP edge after signing and must not break it.
        var client = factory.CreateChatClient(Model, new ProviderOptions { Settings = settings, Headers = new Dictionary<string, string> { ["x-team"] = "search" } });
        await client.GetResponseAsync([new(ChatRole.User, "Say hello")], cancellationToken: Ct);

        var request = _upstream.LastRequest;
        Assert.Equal(@case.GetProperty("url").GetString(), request.Uri.AbsoluteUri);
        Assert.Equal("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", request.Uri.AbsolutePath);
        Assert.Equal(@case.GetProperty("body").GetString(), request.Body);
        Assert.Equal(@case.GetProperty("authorization").GetString(), request.Header("Authorization"));
        Assert.Equal("20250102T030405Z", request.Header("X-Amz-Date"));
        Assert.Equal(token, request.Header("X-Amz-Security-Token"));
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Equal("search", request.Header("x-team"));
    }

    [Fact]
    public async Task Request_MapsMessagesOptionsAndToolsToConverse()
    {
        _upstream.Json(BedrockWire.Converse("ok"));
        using var factory = Factory(Env);
        var options = new ChatOptions
        {
            Instructions = "Be brief.",
            MaxOutputTokens = 100,
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            StopSequences = ["END"],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}}}""").RootElement)],
            AdditionalProperties = new() { ["anthropic_beta"] = new[] { "x" }, ["guardrailConfig"] = new Dictionary<string, string> { ["guardrailIdentifier"] = "g1", ["guardrailVersion"] = "1" } },
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a weather bot."),
            new(ChatRole.User, [new TextContent("Weather in Paris?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]),
            new(ChatRole.Assistant, [new TextReasoningContent("Need the tool") { ProtectedData = "sig" }, new FunctionCallContent("tooluse_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("tooluse_1", "18C and sunny")]),
            new(ChatRole.User, "Thanks"),
        ];

        await factory.CreateChatClient(Model).GetResponseAsync(messages, options, Ct);

        Assert.Equal("""
            {"messages":[{"role":"user","content":[{"text":"Weather in Paris?"},{"image":{"format":"png","source":{"bytes":"AQID"}}}]},{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"Need the tool","signature":"sig"}}},{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"location":"Paris"}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"18C and sunny"}],"status":"success"}},{"text":"Thanks"}]}],"system":[{"text":"Be brief."},{"text":"You are a weather bot."}],"inferenceConfig":{"maxTokens":100,"temperature":0.5,"topP":0.9,"stopSequences":["END"]},"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","description":"Gets the weather","inputSchema":{"json":{"type":"object","properties":{"location":{"type":"string"}}}}}}],"toolChoice":{"tool":{"name":"get_weather"}}},"guardrailConfig":{"guardrailIdentifier":"g1","guardrailVersion":"1"},"additionalModelRequestFields":{"top_k":40,"anthropic_beta":["x"]}}
            """, _upstream.LastRequest.Body);
        Assert.Equal("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", _upstream.LastRequest.Uri.AbsoluteUri);
    }

    [Theory]
    [InlineData("auto", """{"auto":{}}""")]
    [InlineData("any", """{"any":{}}""")]
    public async Task ToolChoice_AutoAndAny(string mode, string expected)
    {
        _upstream.Json(BedrockWire.Converse("ok"));
        using var factory = Factory(Env);
        var options = new ChatOptions
        {
            ToolMode = mode == "auto" ? ChatToolMode.Auto : ChatToolMode.RequireAny,
            Tools = [AIFunctionFactory.CreateDeclaration("f", null, JsonDocument.Parse("""{"type":"object"}""").RootElement)],
        };

        await factory.CreateChatClient(Model).GetResponseAsync([new(ChatRole.User, "x")], options, Ct);

        Assert.Equal(expected, _upstream.LastRequest.Json.GetProperty("toolConfig").GetProperty("toolChoice").GetRawText());
    }

    [Fact]
    public async Task ToolResult_ObjectIsJsonAndErrorsAreMarked()
    {
        _upstream.Json(BedrockWire.Converse("ok"));
        using var factory = Factory(Env);
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "x"),
            new(ChatRole.Assistant, [new FunctionCallContent("a", "f"), new FunctionCallContent("b", "f")]),
            new(ChatRole.Tool, [new FunctionResultContent("a", JsonDocument.Parse("""{"t":18}""").RootElement)]),
            new(ChatRole.Tool, [new FunctionResultContent("b", null) { Exception = new InvalidOperationException("boom") }]),
        ];

        await factory.CreateChatClient(Model).GetResponseAsync(messages, new ChatOptions(), Ct);

        var turns = _upstream.LastRequest.Json.GetProperty("messages");
        Assert.Equal(3, turns.GetArrayLength());
        Assert.Equal("""[{"toolResult":{"toolUseId":"a","content":[{"json":{"t":18}}],"status":"success"}},{"toolResult":{"toolUseId":"b","content":[{"text":"boom"}],"status":"error"}}]""", turns[2].GetProperty("content").GetRawText());
        Assert.Equal("""{"toolUse":{"toolUseId":"a","name":"f","input":{}}}""", turns[1].GetProperty("content")[0].GetRawText());
    }

    [Fact]
    public async Task Response_ReadsReasoningToolsAndCacheUsage()
    {
        _upstream.Json("""
            {"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"Hmm","signature":"s1"}}},{"text":"Calling."},{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"location":"Paris"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":30,"outputTokens":7,"totalTokens":37,"cacheReadInputTokens":11,"cacheWriteInputTokens":13},"metrics":{"latencyMs":1}}
            """, headers: ("x-amzn-RequestId", "req-42"));
        using var factory = Factory(Env);

        var response = await factory.CreateChatClient(Model).GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        var contents = response.Messages.Single().Contents;
        var reasoning = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal("Hmm", reasoning.Text);
        Assert.Equal("s1", reasoning.ProtectedData);
        Assert.Equal("Calling.", Assert.IsType<TextContent>(contents[1]).Text);
        var call = Assert.IsType<FunctionCallContent>(contents[2]);
        Assert.Equal(("t1", "get_weather", "Paris"), (call.CallId, call.Name, call.Arguments!["location"]!.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal("req-42", response.ResponseId);
        Assert.Equal(30, response.Usage!.InputTokenCount);
        Assert.Equal(37, response.Usage.TotalTokenCount);
        Assert.Equal(11, response.Usage.CachedInputTokenCount);
        Assert.Equal(13, response.Usage.AdditionalCounts!["CacheCreationInputTokens"]);
    }

    [Theory]
    [InlineData("guardrail_intervened")]
    [InlineData("content_filtered")]
    public async Task GuardrailStop_IsContentFilter(string stopReason)
    {
        _upstream.Json(BedrockWire.Converse("Sorry, I can't help with that.", stopReason: stopReason));
        using var factory = Factory(Env);

        var response = await factory.CreateChatClient(Model).GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
    }

    [Fact]
    public async Task Stream_PostsToConverseStream_AndReadsUsageAndReasoning()
    {
        _upstream.EventStream(BedrockTestData.Stream("textStream"));
        _upstream.EventStream(BedrockTestData.Stream("reasoningStream"));
        using var factory = Factory(Env);
        var client = factory.CreateChatClient(Model);

        var updates = await Collect(client);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        var reasoning = await Collect(client);

        Assert.Equal("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream", _upstream.Requests[0].Uri.AbsolutePath);
        Assert.Equal(3, usage.CachedInputTokenCount);
        Assert.Equal(4, usage.AdditionalCounts!["CacheCreationInputTokens"]);
        var response = reasoning.ToChatResponse();
        Assert.Equal("Done.", response.Text);
        Assert.Equal("Thinking", string.Concat(reasoning.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Contains(reasoning.SelectMany(u => u.Contents).OfType<TextReasoningContent>(), r => r.ProtectedData == "sig-123");
    }

    [Theory]
    [InlineData("midStreamServiceUnavailable", typeof(ServiceUnavailableException), "serviceUnavailableException")]
    [InlineData("midStreamThrottling", typeof(RateLimitException), "throttlingException")]
    [InlineData("midStreamValidation", typeof(ContextWindowExceededException), "validationException")]
    [InlineData("midStreamModelError", typeof(InternalServerException), "modelStreamErrorException")]
    [InlineData("midStreamInternal", typeof(InternalServerException), "internalServerException")]
    [InlineData("errorFrame", typeof(RateLimitException), "ThrottlingException")]
    public async Task StreamExceptionFrames_AreUnifiedMidStreamErrors(string stream, Type expected, string code)
    {
        _upstream.EventStream(BedrockTestData.Stream(stream));
        using var factory = Factory(Env);
        var received = new List<string>();

        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(async () =>
        {
            await foreach (var update in factory.CreateChatClient(Model).GetStreamingResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct))
            {
                received.Add(update.Text);
            }
        });

        Assert.IsType(expected, error);
        Assert.True(error.IsMidStream);
        Assert.Equal(code, error.ProviderCode);
        Assert.Equal("bedrock", error.Provider);
        Assert.False(string.IsNullOrEmpty(error.ProviderMessage));
        Assert.Equal("Hel", string.Concat(received));
    }

    [Theory]
    [InlineData("badPreludeCrc")]
    [InlineData("badMessageCrc")]
    [InlineData("truncatedFrame")]
    public async Task DamagedStream_IsAClearUnifiedError(string stream)
    {
        _upstream.EventStream(BedrockTestData.Stream(stream));
        using var factory = Factory(Env);

        var error = await Assert.ThrowsAsync<InternalServerException>(async () =>
        {
            await foreach (var update in factory.CreateChatClient(Model).GetStreamingResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct))
            {
            }
        });

        Assert.Contains("damaged event stream", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsMidStream);
    }

    [Theory]
    [InlineData(403, "AccessDeniedException", "User is not authorized to perform: bedrock:InvokeModel", typeof(PermissionDeniedException))]
    [InlineData(403, "UnrecognizedClientException", "The security token included in the request is invalid.", typeof(AuthenticationException))]
    [InlineData(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", typeof(AuthenticationException))]
    [InlineData(408, "ModelTimeoutException", "Model has timed out in processing the request.", typeof(ProviderTimeoutException))]
    [InlineData(503, "ServiceUnavailableException", "Bedrock is unable to process your request.", typeof(ServiceUnavailableException))]
    [InlineData(429, "ThrottlingException", "Too many requests, please wait before trying again.", typeof(RateLimitException))]
    [InlineData(429, "ModelNotReadyException", "Model is not ready.", typeof(RateLimitException))]
    [InlineData(400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account.", typeof(RateLimitException))]
    [InlineData(400, "ValidationException", "Input is too long for requested model.", typeof(ContextWindowExceededException))]
    [InlineData(400, "ValidationException", "Malformed input request.", typeof(BadRequestException))]
    [InlineData(404, "ResourceNotFoundException", "Model not found.", typeof(NotFoundException))]
    [InlineData(500, "InternalServerException", "Internal error.", typeof(InternalServerException))]
    public async Task HttpErrors_MapByErrorTypeHeader(int status, string type, string message, Type expected)
    {
        BedrockWire.Error(_upstream, status, type, message);
        using var factory = Factory(Env);

        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => factory.CreateChatClient(Model).GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct));

        Assert.IsType(expected, error);
        Assert.Equal(type, error.ProviderCode);
        Assert.Equal(message, error.ProviderMessage);
    }

    [Fact]
    public async Task ApiKey_IsSentAsBearer_WithoutSignature()
    {
        _upstream.Json(BedrockWire.Converse("Hi"));
        using var factory = Factory(new Dictionary<string, string> { ["AWS_BEARER_TOKEN_BEDROCK"] = "ABSK-key", ["AWS_DEFAULT_REGION"] = "ap-south-1" });

        await factory.CreateChatClient(Model).GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.Equal("Bearer ABSK-key", _upstream.LastRequest.Header("Authorization"));
        Assert.Null(_upstream.LastRequest.Header("X-Amz-Date"));
        Assert.Equal("bedrock-runtime.ap-south-1.amazonaws.com", _upstream.LastRequest.Uri.Host);
    }

    [Fact]
    public async Task ApiBase_OverridesTheHost_AndTheSignatureCoversIt()
    {
        _upstream.Json(BedrockWire.Converse("Hi"));
        using var factory = Factory(Env);

        await factory.CreateChatClient("bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0", new ProviderOptions { ApiBase = "http://localhost:4566/bedrock" })
            .GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        var request = _upstream.LastRequest;
        Assert.Equal("http://localhost:4566/bedrock/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse", request.Uri.AbsoluteUri);
        Assert.Contains("Credential=AKIDEXAMPLE/", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bedrock/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse")]
    [InlineData("bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse")]
    public async Task ModelIds_AreEncodedIntoThePath(string model, string path)
    {
        _upstream.Json(BedrockWire.Converse("Hi"));
        using var factory = Factory(Env);

        await factory.CreateChatClient(model).GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct);

        Assert.Equal(path, _upstream.LastRequest.Uri.AbsolutePath);
    }

    [Fact]
    public async Task MissingCredentials_IsAnAuthenticationErrorAtCallTime()
    {
        using var factory = Factory(new Dictionary<string, string>());
        var client = factory.CreateChatClient(Model); // creating the client is fine

        var error = await Assert.ThrowsAsync<AuthenticationException>(() => client.GetResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct));

        Assert.Contains("AWS_ACCESS_KEY_ID", error.Message, StringComparison.Ordinal);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task TitanEmbeddings_OneRequestPerInput()
    {
        _upstream.Json("""{"embedding":[0.1,0.2,0.3],"inputTextTokenCount":4}""");
        _upstream.Json("""{"embedding":[0.4,0.5,0.6],"inputTextTokenCount":5}""");
        using var factory = Factory(Env);

        var result = await factory.CreateEmbeddingGenerator("bedrock/amazon.titan-embed-text-v2:0")
            .GenerateAsync(["first", "second"], new EmbeddingGenerationOptions { Dimensions = 256 }, Ct);

        Assert.Equal(2, _upstream.Requests.Count);
        Assert.Equal("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke", _upstream.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("""{"inputText":"first","dimensions":256}""", _upstream.Requests[0].Body);
        Assert.Equal("""{"inputText":"second","dimensions":256}""", _upstream.Requests[1].Body);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", _upstream.Requests[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal([0.1f, 0.2f, 0.3f], result[0].Vector.ToArray());
        Assert.Equal([0.4f, 0.5f, 0.6f], result[1].Vector.ToArray());
        Assert.Equal(9, result.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task CohereEmbeddings_OneBatchRequest()
    {
        _upstream.Json("""{"id":"e1","texts":["a","b"],"embeddings":[[1.0,2.0],[3.0,4.0]],"response_type":"embeddings_floats"}""");
        using var factory = Factory(Env);

        var result = await factory.CreateEmbeddingGenerator("bedrock/cohere.embed-english-v3").GenerateAsync(["a", "b"], cancellationToken: Ct);

        Assert.Equal("/model/cohere.embed-english-v3/invoke", Assert.Single(_upstream.Requests).Uri.AbsolutePath);
        Assert.Equal("""{"texts":["a","b"],"input_type":"search_document"}""", _upstream.LastRequest.Body);
        Assert.Equal([3f, 4f], result[1].Vector.ToArray());
    }

    [Fact]
    public void ChatModel_HasNoEmbeddings()
    {
        using var factory = Factory(Env);
        Assert.Throws<NotSupportedException>(() => factory.CreateEmbeddingGenerator(Model));
    }

    private static async Task<List<ChatResponseUpdate>> Collect(IChatClient client)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "x")], cancellationToken: Ct))
        {
            updates.Add(update);
        }

        return updates;
    }

    private LiteLlmClientFactory Factory(Dictionary<string, string> env, TimeProvider? time = null) => new(new LiteLlmClientFactoryOptions
    {
        HttpMessageHandler = _upstream,
        EnvironmentVariables = name => env.TryGetValue(name, out var v) ? v : null,
        Providers = new ProviderRegistry(),
        TimeProvider = time ?? TimeProvider.System,
    });
}
