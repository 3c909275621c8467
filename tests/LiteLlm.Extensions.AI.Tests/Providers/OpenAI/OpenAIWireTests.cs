using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Providers.OpenAI;

/// <summary>What the OpenAI family sends at the wire, and what it makes of recorded answers.</summary>
public sealed class OpenAIWireTests
{
    private readonly FakeUpstream _upstream = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LiteLlmClientFactory Factory(Dictionary<string, string>? env = null)
        => TestFactory.Create(_upstream, env ?? new() { ["OPENAI_API_KEY"] = "sk-test-0123456789abcdef" });

    [Fact]
    public async Task Request_CarriesMessagesParametersToolsAndAuth()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var client = Factory().CreateChatClient("openai/gpt-4o-mini");
        var options = new ChatOptions
        {
            MaxOutputTokens = 50,
            Temperature = 0.25f,
            TopP = 0.5f,
            StopSequences = ["END"],
            Seed = 7,
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}}}""").RootElement)],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
        };
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "18C and sunny")]),
        ];

        await client.GetResponseAsync(messages, options, Ct);

        var request = _upstream.LastRequest;
        Assert.Equal("POST", request.Method);
        Assert.Equal("https://api.openai.com/v1/chat/completions", request.Uri.ToString());
        Assert.Equal("Bearer sk-test-0123456789abcdef", request.Header("Authorization"));
        JsonAssert.Equal("""
            {
              "model": "gpt-4o-mini",
              "messages": [
                {"role":"system","content":"Be brief."},
                {"role":"user","content":"Weather in Paris?"},
                {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}}]},
                {"role":"tool","tool_call_id":"call_1","content":"18C and sunny"}
              ],
              "max_completion_tokens": 50,
              "temperature": 0.25,
              "top_p": 0.5,
              "stop": ["END"],
              "seed": 7,
              "tools": [{"type":"function","function":{"name":"get_weather","description":"Gets the weather","parameters":{"type":"object","required":[],"properties":{"location":{"type":"string"}},"additionalProperties":false}}}],
              "tool_choice": {"type":"function","function":{"name":"get_weather"}}
            }
            """, Normalize(request.Body));
    }

    [Fact]
    public async Task Request_ImageAndJsonModeAndPassThroughParameters()
    {
        _upstream.Json(OpenAIWire.Completion("{}"));
        var client = Factory().CreateChatClient("gpt-4o-mini"); // bare name through the catalog
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.Json, AdditionalProperties = new() { ["reasoning_effort"] = "low", ["user"] = "u-1" } };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, "image/png")])], options, Ct);

        var body = _upstream.LastRequest.Json;
        Assert.Equal("json_object", body.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("low", body.GetProperty("reasoning_effort").GetString());
        Assert.Equal("u-1", body.GetProperty("user").GetString());
        var parts = body.GetProperty("messages")[0].GetProperty("content");
        Assert.Equal("image_url", parts[1].GetProperty("type").GetString());
        Assert.Equal("data:image/png;base64,AQID", parts[1].GetProperty("image_url").GetProperty("url").GetString());
    }

    [Fact]
    public async Task Request_StructuredOutputWithJsonSchema()
    {
        _upstream.Json(OpenAIWire.Completion("""{"city":"Paris"}"""));
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "place", "A place") };

        var response = await Factory().CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("Where?", options, Ct);

        var format = _upstream.LastRequest.Json.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("place", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.Equal("string", format.GetProperty("json_schema").GetProperty("schema").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Equal("""{"city":"Paris"}""", response.Text);
    }

    [Fact]
    public async Task Usage_IncludesCachedAndReasoningTokens()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var response = await Factory().CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal(3, response.Usage?.CachedInputTokenCount);
        Assert.Equal(2, response.Usage?.ReasoningTokenCount);
        Assert.Equal(17, response.Usage?.TotalTokenCount);
        Assert.Equal("chatcmpl-1", response.ResponseId);
        Assert.Equal("gpt-4o-mini-2024-07-18", response.ModelId);
    }

    [Fact]
    public async Task Azure_UsesDeploymentUrlApiVersionAndApiKeyHeader()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var factory = Factory(new() { ["AZURE_API_KEY"] = "azure-secret-0123456789", ["AZURE_API_BASE"] = "https://my-resource.openai.azure.com", ["AZURE_API_VERSION"] = "2024-06-01" });

        await factory.CreateChatClient("azure/my-gpt4o").GetResponseAsync("hi", cancellationToken: Ct);

        var request = _upstream.LastRequest;
        Assert.Equal("https://my-resource.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-06-01", request.Uri.ToString());
        Assert.Equal("azure-secret-0123456789", request.Header("api-key"));
        Assert.Null(request.Header("Authorization"));
    }

    [Fact]
    public async Task Azure_FirstStreamChunkWithoutChoicesIsTolerated()
    {
        _upstream.Sse("""data: {"id":"","object":"","created":0,"model":"","choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}""" + "\n\n" + OpenAIWire.TextStream(["Hi"]));
        var factory = Factory(new() { ["AZURE_API_KEY"] = "k-0123456789", ["AZURE_API_BASE"] = "https://r.openai.azure.com/" });

        var text = "";
        await foreach (var update in factory.CreateChatClient("azure/dep").GetStreamingResponseAsync("hi", cancellationToken: Ct))
        {
            text += update.Text;
        }

        Assert.Equal("Hi", text);
    }

    [Theory]
    [InlineData("groq/llama-3.1-8b-instant", "GROQ_API_KEY", "https://api.groq.com/openai/v1/chat/completions")]
    [InlineData("together_ai/meta-llama/Llama-3-70b-chat-hf", "TOGETHERAI_API_KEY", "https://api.together.xyz/v1/chat/completions")]
    [InlineData("mistral/mistral-small-latest", "MISTRAL_API_KEY", "https://api.mistral.ai/v1/chat/completions")]
    [InlineData("deepseek/deepseek-chat", "DEEPSEEK_API_KEY", "https://api.deepseek.com/v1/chat/completions")]
    [InlineData("fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1/chat/completions")]
    [InlineData("openrouter/anthropic/claude-3.5-sonnet", "OPENROUTER_API_KEY", "https://openrouter.ai/api/v1/chat/completions")]
    [InlineData("perplexity/sonar", "PERPLEXITYAI_API_KEY", "https://api.perplexity.ai/chat/completions")]
    [InlineData("xai/grok-2", "XAI_API_KEY", "https://api.x.ai/v1/chat/completions")]
    [InlineData("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct", "DEEPINFRA_API_KEY", "https://api.deepinfra.com/v1/openai/chat/completions")]
    [InlineData("cerebras/llama3.1-8b", "CEREBRAS_API_KEY", "https://api.cerebras.ai/v1/chat/completions")]
    public async Task CompatibleHosts_UseTheirBaseUrlKeyAndModelName(string model, string keyVariable, string url)
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var factory = Factory(new() { [keyVariable] = "host-key-0123456789" });

        await factory.CreateChatClient(model).GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal(url, _upstream.LastRequest.Uri.ToString());
        Assert.Equal("Bearer host-key-0123456789", _upstream.LastRequest.Header("Authorization"));
        Assert.Equal(model[(model.IndexOf('/') + 1)..], _upstream.LastRequest.Json.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", null, "max_completion_tokens")]
    [InlineData("openai/my-model", "http://127.0.0.1:8000/v1", "max_tokens")]
    [InlineData("mistral/mistral-small-latest", null, "max_tokens")]
    [InlineData("hosted_vllm/qwen", "http://127.0.0.1:8000/v1", "max_tokens")]
    public async Task MaxTokens_UsesTheFieldEachServerUnderstands(string model, string? apiBase, string field)
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var factory = Factory(new() { ["OPENAI_API_KEY"] = "sk-0123456789", ["MISTRAL_API_KEY"] = "m-0123456789" });

        await factory.CreateChatClient(model, new ProviderOptions { ApiBase = apiBase }).GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 42 }, Ct);

        var body = _upstream.LastRequest.Json;
        Assert.Equal(42, body.GetProperty(field).GetInt32());
        Assert.Equal(1, body.EnumerateObject().Count(p => p.Name is "max_tokens" or "max_completion_tokens"));
    }

    [Fact]
    public async Task CustomApiBase_WorksWithoutKeyAndSendsNoAuthorization()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var client = Factory(new()).CreateChatClient("openai/meta-llama/Llama-3.1-8B", new ProviderOptions { ApiBase = "http://127.0.0.1:8000/v1" });

        await client.GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("http://127.0.0.1:8000/v1/chat/completions", _upstream.LastRequest.Uri.ToString());
        Assert.Null(_upstream.LastRequest.Header("Authorization"));
    }

    [Fact]
    public async Task HostedVllm_ReadsBaseFromEnvironment_AndKlusterStyleCustomEndpointTakesKey()
    {
        _upstream.Json(OpenAIWire.Completion("ok")).Json(OpenAIWire.Completion("ok"));
        var factory = Factory(new() { ["HOSTED_VLLM_API_BASE"] = "http://vllm.internal:8000/v1" });

        await factory.CreateChatClient("hosted_vllm/qwen2.5").GetResponseAsync("hi", cancellationToken: Ct);
        Assert.Equal("http://vllm.internal:8000/v1/chat/completions", _upstream.LastRequest.Uri.ToString());

        await factory.CreateChatClient("openai/klusterai/Meta-Llama-3.3-70B-Instruct-Turbo", new ProviderOptions { ApiBase = "https://api.kluster.ai/v1", ApiKey = "kluster-key-0123456789" })
            .GetResponseAsync("hi", cancellationToken: Ct);
        Assert.Equal("https://api.kluster.ai/v1/chat/completions", _upstream.LastRequest.Uri.ToString());
        Assert.Equal("Bearer kluster-key-0123456789", _upstream.LastRequest.Header("Authorization"));
        Assert.Equal("klusterai/Meta-Llama-3.3-70B-Instruct-Turbo", _upstream.LastRequest.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ExtraHeaders_PerDeploymentAndPerCall()
    {
        _upstream.Json(OpenAIWire.Completion("ok"));
        var client = Factory().CreateChatClient("openai/gpt-4o-mini", new ProviderOptions { Headers = new Dictionary<string, string> { ["X-Team"] = "search" } });
        var options = new ChatOptions { AdditionalProperties = new() { [CallSettings.ExtraHeaders] = new Dictionary<string, string> { ["X-Request-Tag"] = "t1" } } };

        await client.GetResponseAsync("hi", options, Ct);

        Assert.Equal("search", _upstream.LastRequest.Header("X-Team"));
        Assert.Equal("t1", _upstream.LastRequest.Header("X-Request-Tag"));
        Assert.False(_upstream.LastRequest.Json.TryGetProperty("extra_headers", out _));
    }

    [Fact]
    public async Task RecordedStreams_ToolCallsAndUsage()
    {
        // Recorded by openai-python: one tool call, arguments in fragments, usage chunk, [DONE].
        _upstream.Sse(Fixtures.Read("openai/stream-2018feb66ae1.sse"));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Factory().CreateChatClient("openai/gpt-4o").GetStreamingResponseAsync("weather?", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("call_4XzlGBLtUe9dy3GVNV4jhq7h", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.NotNull(call.Arguments);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.True(response.Usage?.TotalTokenCount > 0);
    }

    [Fact]
    public async Task RecordedStreams_ParallelToolCalls()
    {
        _upstream.Sse(Fixtures.Read("openai/stream-f82268f2fefd.sse"));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Factory().CreateChatClient("openai/gpt-4o").GetStreamingResponseAsync("weather?", cancellationToken: Ct))
        {
            updates.Add(update);
        }

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.True(calls.Count >= 2, $"expected parallel calls, got {calls.Count}");
        Assert.Equal(calls.Count, calls.Select(c => c.CallId).Distinct().Count());
        Assert.All(calls, c => Assert.NotNull(c.Arguments));
    }

    [Fact]
    public async Task Embeddings_OpenAIAndAzure()
    {
        const string body = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]},{"object":"embedding","index":1,"embedding":[1.0,0.0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}""";
        _upstream.Json(body).Json(body);
        var factory = Factory(new() { ["OPENAI_API_KEY"] = "sk-0123456789", ["AZURE_API_KEY"] = "az-0123456789", ["AZURE_API_BASE"] = "https://r.openai.azure.com" });

        var result = await factory.CreateEmbeddingGenerator("openai/text-embedding-3-small").GenerateAsync(["a", "b"], cancellationToken: Ct);
        Assert.Equal("https://api.openai.com/v1/embeddings", _upstream.LastRequest.Uri.ToString());
        Assert.Equal(2, result.Count);
        Assert.Equal([0.5f, -0.25f], result[0].Vector.ToArray());
        Assert.Equal(4, result.Usage?.InputTokenCount);

        await factory.CreateEmbeddingGenerator("azure/embed-dep").GenerateAsync(["a", "b"], cancellationToken: Ct);
        Assert.Equal("https://r.openai.azure.com/openai/deployments/embed-dep/embeddings?api-version=2024-10-21", _upstream.LastRequest.Uri.ToString());
    }

    [Fact]
    public async Task Errors_NeverCarryTheKey()
    {
        _upstream.Status(401, OpenAIWire.Error("Incorrect API key provided: sk-test-0123456789abcdef. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"));
        var error = await Assert.ThrowsAsync<AuthenticationException>(() => Factory().CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("hi", cancellationToken: Ct));

        Assert.DoesNotContain("sk-test-0123456789abcdef", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-0123456789abcdef", error.ProviderMessage ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-0123456789abcdef", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("openai", error.Provider);
        Assert.Equal("gpt-4o-mini", error.Model);
        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public async Task QuotaExhaustion_IsToldApartFromRateLimits()
    {
        _upstream.Status(429, OpenAIWire.Error("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"));
        var error = await Assert.ThrowsAsync<RateLimitException>(() => Factory().CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("hi", cancellationToken: Ct));

        Assert.True(error.IsQuotaExceeded);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task SdkDoesNotRetry_TheRouterDoes()
    {
        _upstream.Status(500, OpenAIWire.Error("boom", "server_error", null)).Json(OpenAIWire.Completion("ok"));
        await Assert.ThrowsAsync<InternalServerException>(() => Factory().CreateChatClient("openai/gpt-4o-mini").GetResponseAsync("hi", cancellationToken: Ct));
        Assert.Single(_upstream.Requests);
    }

    private static string Normalize(string? body)
    {
        // The SDK writes "content" of an assistant tool-call turn as "" or omits it; treat both the same.
        // Note what MEAI.OpenAI does to tool schemas (asserted above): it adds "required": [] and
        // "additionalProperties": false.
        var node = System.Text.Json.Nodes.JsonNode.Parse(body!)!.AsObject();
        foreach (var message in node["messages"]!.AsArray())
        {
            if (message!["role"]!.GetValue<string>() == "assistant" && message["content"] is null)
            {
                message.AsObject()["content"] = "";
            }

            // MEAI writes arguments indented; compare them as JSON.
            foreach (var call in message["tool_calls"]?.AsArray() ?? [])
            {
                var function = call!["function"]!;
                function["arguments"] = System.Text.Json.Nodes.JsonNode.Parse(function["arguments"]!.GetValue<string>())!.ToJsonString();
            }
        }

        return node.ToJsonString();
    }
}
