using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;

namespace LiteLlm.Gateway.Tests.Anthropic;

/// <summary>
/// /v1/messages beyond the conversation: non-streamed answers with server-tool blocks as sent, Anthropic-only request content,
/// errors (529 overloaded passed through with retry-after), gateway-only fields kept back, count_tokens for other providers,
/// and the cross-protocol path (thinking ↔ reasoning, tool ids kept, cache_control dropped, Anthropic-only content refused).
/// </summary>
public sealed class MessagesFidelityTests
{
    private const string AnthropicOnlyRequest = """
        {"model":"claude-code","max_tokens":1024,
         "system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "messages":[{"role":"user","content":[
            {"type":"document","source":{"type":"url","url":"https://example.com/spec.pdf"},"citations":{"enabled":true}},
            {"type":"image","source":{"type":"file","file_id":"file_01"}},
            {"type":"text","text":"What does it say?","cache_control":{"type":"ephemeral"}}]}],
         "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2},{"type":"bash_20250124","name":"bash"}],
         "tool_choice":{"type":"any","disable_parallel_tool_use":true},
         "container":"container_1","mcp_servers":[{"type":"url","url":"https://mcp.example.com","name":"m"}],
         "service_tier":"standard_only","top_k":5,"stop_sequences":["END"],"metadata":{"user_id":"u1"},
         "tags":["team-a"],"litellm_session_id":"s-1"}
        """;

    private const string ServerToolAnswer = """
        {"id":"msg_01Srv","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
         "content":[{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"spec"}},
                    {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","url":"https://e.com","title":"E","encrypted_content":"enc","page_age":"1 day"}]},
                    {"type":"text","text":"It says hi.","citations":[{"type":"web_search_result_location","url":"https://e.com","title":"E","encrypted_index":"ix","cited_text":"hi"}]}],
         "stop_reason":"end_turn","stop_sequence":null,"container":{"id":"container_1","expires_at":"2026-12-06T00:00:00Z"},
         "usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":9,"server_tool_use":{"web_search_requests":1},"service_tier":"standard"}}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnthropicOnlyContent_ReachesAnthropic_AndTheAnswerComesBackAsSent_WithoutGatewayOnlyFields()
    {
        await using var upstream = await RecordingAnthropicUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(yaml: ClaudeCodeConversationTests.Yaml(upstream.Address));
        upstream.Json(ServerToolAnswer);

        var (response, body) = await gateway.PostJsonAsync("/v1/messages", AnthropicOnlyRequest, r => r.Headers.Add("anthropic-beta", "mcp-client-2025-04-04,code-execution-2025-05-22"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ClaudeCodeConversationTests.AssertJsonEqual(JsonNode.Parse(ServerToolAnswer)!, JsonNode.Parse(body.GetRawText())!);

        // Priced from the same answer: 20 fresh input tokens at 3e-6, 100 cache reads at 3e-7, 9 output tokens at 1.5e-5.
        Assert.Equal(((20 * 3e-6m) + (100 * 3e-7m) + (9 * 1.5e-5m)).ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("x-litellm-response-cost").Single());
        Assert.True(upstream.Requests.TryDequeue(out var sent));
        var expected = ClaudeCodeConversationTests.WithModel(JsonNode.Parse(AnthropicOnlyRequest)!, "claude-sonnet-4-5").AsObject();
        expected.Remove("tags"); // gateway-only: kept in the gateway
        expected.Remove("litellm_session_id");
        ClaudeCodeConversationTests.AssertJsonEqual(expected, sent.Json);
        Assert.Equal("mcp-client-2025-04-04,code-execution-2025-05-22", sent.Header("anthropic-beta"));
        Assert.Equal("2023-06-01", sent.Header("anthropic-version")); // none sent by the client: the pinned one
    }

    [Fact]
    public async Task Overloaded_Is529InAnthropicsShape_WithRetryAfter_AndBadRequestsKeepTheirStatus()
    {
        await using var upstream = await RecordingAnthropicUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(yaml: ClaudeCodeConversationTests.Yaml(upstream.Address));
        upstream.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529, ("retry-after", "7"));
        upstream.Json("""{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: Expected `thinking` or `redacted_thinking`"}}""", 400);
        const string request = """{"model":"claude-code","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""";

        var (overloaded, error) = await gateway.PostJsonAsync("/v1/messages", request);
        var (invalid, refused) = await gateway.PostJsonAsync("/v1/messages", request);

        Assert.Equal(529, (int)overloaded.StatusCode);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("overloaded_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(7), overloaded.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("invalid_request_error", refused.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("Expected `thinking`", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CountTokens_ForAnotherProvider_IsTheTokenizersEstimate_AndUnknownModelsAre404()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var (counted, count) = await gateway.PostJsonAsync("/v1/messages/count_tokens", """{"model":"gpt-4o-mini","system":"Be brief.","messages":[{"role":"user","content":"Hello there, how are you today?"}]}""");
        var (missing, error) = await gateway.PostJsonAsync("/v1/messages/count_tokens", """{"model":"nope","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal(["input_tokens"], count.EnumerateObject().Select(p => p.Name));
        Assert.InRange(count.GetProperty("input_tokens").GetInt64(), 10, 40);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task CountTokens_NeedsAKeyAndPassesAdmission_ButIsNotBilled()
    {
        var gate = new KeyGate();
        var spend = new RecordingSpendSink();
        await using var gateway = await GatewayHost.StartAsync(services: s =>
        {
            s.AddSingleton<IRequestGate>(gate);
            s.AddSingleton<ISpendSink>(spend);
        });
        const string count = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

        var (denied, error) = await gateway.PostJsonAsync("/v1/messages/count_tokens", count, r => r.Headers.Add("x-api-key", "sk-bad"));
        var (limited, limit) = await gateway.PostJsonAsync("/v1/messages/count_tokens", count.Replace("gpt-4o-mini", "mock", StringComparison.Ordinal), r => r.Headers.Add("x-api-key", "sk-good"));
        var (counted, _) = await gateway.PostJsonAsync("/v1/messages/count_tokens", count, r => r.Headers.Add("x-api-key", "sk-good"));
        var (answered, _) = await gateway.PostJsonAsync("/v1/messages", """{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""", r => r.Headers.Add("x-api-key", "sk-good"));

        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("authentication_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limit_error", limit.GetProperty("error").GetProperty("type").GetString());
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        var records = await spend.WaitForAsync(2); // only the message is a billed call
        Assert.Equal("/v1/messages", Assert.Single(records).Endpoint);
    }

    [Theory]
    [InlineData("""{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}""", "messages[0].content[0]", "'document' block")]
    [InlineData("""{"type":"search_result","source":"s","title":"t","content":[]}""", "messages[0].content[0]", "'search_result' block")]
    [InlineData("""{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}]}""", "messages[0].content[0].content[0]", "tool_result")]
    public async Task AnthropicOnlyBlocks_ToAnotherProvider_AreRefusedNamingThem(string block, string path, string what)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var (response, error) = await gateway.PostJsonAsync("/v1/messages", $$"""{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":[{{block}}]}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        var message = error.GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith(path + ":", message, StringComparison.Ordinal);
        Assert.Contains(what, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(""" "tools":[{"type":"web_search_20250305","name":"web_search"}] """, "tools[0]")]
    [InlineData(""" "container":"container_1" """, "container")]
    [InlineData(""" "mcp_servers":[] """, "mcp_servers")]
    public async Task AnthropicOnlyToolsAndFields_ToAnotherProvider_AreRefusedNamingThem(string field, string name)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var (response, error) = await gateway.PostJsonAsync("/v1/messages", $$"""{"model":"gpt-4o-mini","max_tokens":10,{{field}},"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(name + ":", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToAnotherProvider_ThinkingBecomesReasoning_ToolIdsAreKept_AndItsReasoningComesBackAsSignedThinking()
    {
        var probe = new ReasoningProbe();
        await using var gateway = await GatewayHost.StartAsync(o => o.ConfigureLiteLlm = l => l.Deployments.Add(new Deployment { ModelGroup = "other", Model = "openai/gpt-5", Client = probe }));
        const string request = """
            {"model":"other","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":10000},
             "system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],
             "tools":[{"name":"Read","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"Read /a"},
               {"role":"assistant","content":[{"type":"thinking","thinking":"I will read it.","signature":"sig-0"},{"type":"tool_use","id":"toolu_7","name":"Read","input":{"file_path":"/a"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_7","content":"contents","cache_control":{"type":"ephemeral"}}]}]}
            """;

        var (response, body) = await gateway.PostJsonAsync("/v1/messages", request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ReasoningEffort.High, probe.Options!.Reasoning?.Effort);
        var contents = probe.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Equal("toolu_7", Assert.Single(contents.OfType<FunctionCallContent>()).CallId);
        Assert.Equal("toolu_7", Assert.Single(contents.OfType<FunctionResultContent>()).CallId);
        Assert.Equal(("I will read it.", "sig-0"), contents.OfType<TextReasoningContent>().Select(r => (r.Text, r.ProtectedData)).Single());
        Assert.Equal("Read", Assert.Single(probe.Options.Tools!).Name);
        Assert.Equal("""[{"type":"thinking","thinking":"Because.","signature":"sig-1"},{"type":"text","text":"Done."}]""", body.GetProperty("content").GetRawText());

        using var streamed = await gateway.PostAsync("/v1/messages", request.Replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"", StringComparison.Ordinal));
        var events = ClaudeCodeConversationTests.Events(await streamed.Content.ReadAsStringAsync(Ct));
        var deltas = events.Where(e => e.Name == "content_block_delta").Select(e => e.Data["delta"]!.ToJsonString()).ToList();
        Assert.Equal(
            ["""{"type":"thinking_delta","thinking":"Because."}""", """{"type":"signature_delta","signature":"sig-1"}""", """{"type":"text_delta","text":"Done."}"""],
            deltas);
        Assert.Equal("thinking", events.First(e => e.Name == "content_block_start").Data["content_block"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToAnOpenAiDeployment_ThinkingIsAReasoningEffort_ToolIdsAreKept_AndNoCacheControlIsSent()
    {
        await using var upstream = await RecordingAnthropicUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(yaml: $$"""
            model_list:
              - model_name: gpt
                litellm_params: {model: openai/o4-mini, api_base: "{{upstream.Address}}/v1", api_key: sk-openai-upstream}
            router_settings:
              num_retries: 0
            """);
        upstream.Json("""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"o4-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Fixed."},"finish_reason":"stop"}],"usage":{"prompt_tokens":40,"completion_tokens":3,"total_tokens":43}}""");
        const string request = """
            {"model":"gpt","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":12000},
             "system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],
             "tools":[{"name":"Read","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"Read /a"},
               {"role":"assistant","content":[{"type":"tool_use","id":"toolu_42","name":"Read","input":{"file_path":"/a"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_42","content":"contents","cache_control":{"type":"ephemeral"}}]}]}
            """;

        var (response, body) = await gateway.PostJsonAsync("/v1/messages", request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""[{"type":"text","text":"Fixed."}]""", body.GetProperty("content").GetRawText());
        Assert.True(upstream.Requests.TryDequeue(out var sent));
        Assert.Equal("/v1/chat/completions", sent.Path);
        Assert.Equal("high", sent.Json["reasoning_effort"]!.GetValue<string>());
        Assert.DoesNotContain("cache_control", sent.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("thinking", sent.Body, StringComparison.Ordinal);
        var messages = sent.Json["messages"]!.AsArray();
        Assert.Equal("toolu_42", messages.Single(m => m!["role"]!.GetValue<string>() == "assistant")!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("toolu_42", messages.Single(m => m!["role"]!.GetValue<string>() == "tool")!["tool_call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToAGeminiDeployment_ThinkingIsAThinkingBudget_ToolIdsAreKept_AndNoCacheControlIsSent()
    {
        await using var upstream = await RecordingAnthropicUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(yaml: $$"""
            model_list:
              - model_name: gem
                litellm_params: {model: gemini/gemini-2.5-flash, api_base: "{{upstream.Address}}", api_key: AIza-upstream}
            router_settings:
              num_retries: 0
            """);
        upstream.Json("""{"candidates":[{"content":{"parts":[{"text":"Fixed."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":3,"totalTokenCount":43},"modelVersion":"gemini-2.5-flash","responseId":"r1"}""");
        const string request = """
            {"model":"gem","max_tokens":8000,"thinking":{"type":"enabled","budget_tokens":6000},
             "system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],
             "tools":[{"name":"Read","input_schema":{"type":"object","properties":{"file_path":{"type":"string"}}},"cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"Read /a"},
               {"role":"assistant","content":[{"type":"tool_use","id":"toolu_42","name":"Read","input":{"file_path":"/a"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_42","content":"contents"}]}]}
            """;

        var (response, body) = await gateway.PostJsonAsync("/v1/messages", request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""[{"type":"text","text":"Fixed."}]""", body.GetProperty("content").GetRawText());
        Assert.True(upstream.Requests.TryDequeue(out var sent));
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", sent.Path);
        var thinking = sent.Json["generationConfig"]!["thinkingConfig"]!;
        Assert.Equal(2048, thinking["thinkingBudget"]!.GetValue<int>()); // budget 6000 is LiteLLM's "medium"
        Assert.True(thinking["includeThoughts"]!.GetValue<bool>());
        Assert.DoesNotContain("cache_control", sent.Body, StringComparison.Ordinal);
        Assert.Contains("toolu_42", sent.Body, StringComparison.Ordinal);
    }

    /// <summary>Another provider, as the gateway's pipeline sees it: records what it is asked, answers with signed reasoning.</summary>
    private sealed class ReasoningProbe : IChatClient
    {
        public ChatOptions? Options { get; private set; }

        public List<ChatMessage> Messages { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Seen(messages, options);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("Because.") { ProtectedData = "sig-1" }, new TextContent("Done.")]))
            {
                ModelId = "gpt-5",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 5 },
            });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Seen(messages, options);
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent("Because.")]) { ModelId = "gpt-5" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextReasoningContent(string.Empty) { ProtectedData = "sig-1" }]) { ModelId = "gpt-5" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Done.") { ModelId = "gpt-5", FinishReason = ChatFinishReason.Stop };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private void Seen(IEnumerable<ChatMessage> messages, ChatOptions? options)
        {
            Options = options;
            Messages.Clear();
            Messages.AddRange(messages);
        }
    }
}
