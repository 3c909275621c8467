using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ChatResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using ChatToolMode = Microsoft.Extensions.AI.ChatToolMode;

namespace LiteLlm.Tests.Providers.OpenAI;

/// <summary>
/// The same MEAI call through our hand-written OpenAI client and through Microsoft.Extensions.AI.OpenAI (the reference
/// mapping), each over a capturing handler: the request JSON and the parsed answer must agree, except for the short
/// table of deliberate differences below.
/// </summary>
public sealed class OpenAIDifferentialTests
{
    private const string Key = "sk-test-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Deliberate differences in the request, by field: we send it, MEAI.OpenAI does not (or the reverse).</summary>
    /// <remarks>Tool-call arguments are compared as JSON: MEAI.OpenAI writes them indented, we write them compact.</remarks>
    private static readonly Dictionary<string, string> RequestDifferences = new()
    {
        ["tool_choice"] = "MEAI.OpenAI writes \"auto\" when tools are given without a mode; we leave it out, which means the same to "
            + "OpenAI and is accepted by compatible servers that refuse an explicit tool_choice (vLLM without auto tool choice).",
        ["service_tier"] = "ChatOptions.AdditionalProperties: MEAI.OpenAI drops them; we send them as body fields (LiteLLM's pass-through "
            + "of provider parameters) — case additional-properties.",
        ["prompt_cache_key"] = "as service_tier.",
    };

    public static TheoryData<string> Cases => [.. CaseBuilders.Keys];

    private static readonly Dictionary<string, Func<(List<ChatMessage> Messages, ChatOptions Options)>> CaseBuilders = new()
    {
        ["plain"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions()),
        ["sampling"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions
        {
            Temperature = 0.5f, TopP = 0.25f, MaxOutputTokens = 64, StopSequences = ["END", "STOP"], Seed = 7, FrequencyPenalty = 0.5f, PresencePenalty = -0.5f,
        }),
        ["instructions-and-system-parts"] = () => ([new(ChatRole.System, [new TextContent("Be brief."), new TextContent("Be kind.")]), new(ChatRole.User, "Hi")],
            new ChatOptions { Instructions = "Answer in French." }),
        ["json-object"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json }),
        ["json-schema"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}"""), "answer", "An answer"),
        }),
        ["strict"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions
        {
            Tools = [Tool()],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}"""), "answer"),
            AdditionalProperties = new() { ["strict"] = true },
        }),
        ["tools-required-specific"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [Tool()], ToolMode = ChatToolMode.RequireSpecific("lookup"), AllowMultipleToolCalls = false }),
        ["tools-none"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [Tool()], ToolMode = ChatToolMode.None }),
        ["reasoning-low"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } }),
        ["reasoning-high"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }),
        ["content-types"] = () => ([new(ChatRole.User, [
            new TextContent("What is on these?"),
            new UriContent(new Uri("https://example.com/cat.png"), "image/png"),
            new DataContent(new byte[] { 1, 2, 3 }, "image/png"),
            new DataContent(new byte[] { 1, 2, 3 }, "audio/wav"),
            new DataContent(new byte[] { 4, 5 }, "application/pdf") { Name = "a.pdf" },
        ]) { AuthorName = "ada" }], new ChatOptions()),
        ["tool-history"] = () => ([
            new(ChatRole.User, "Weather?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_9", "lookup", new Dictionary<string, object?> { ["q"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_9", "sunny")]),
        ], new ChatOptions { Tools = [Tool()] }),
        ["raw-representation-factory"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions
        {
            RawRepresentationFactory = _ => new ChatCompletionOptions
            {
                StoredOutputEnabled = true,
                EndUserId = "user-1",
                IncludeLogProbabilities = true,
                TopLogProbabilityCount = 2,
                Metadata = { ["k"] = "v" },
            },
        }),
        ["additional-properties"] = () => ([new(ChatRole.User, "Hi")], new ChatOptions { AdditionalProperties = new() { ["service_tier"] = "flex", ["prompt_cache_key"] = "p1" } }),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Request_IsWhatMicrosoftExtensionsAIOpenAIWrites(string name)
    {
        var (messages, options) = CaseBuilders[name]();
        var ours = await CaptureAsync(Ours, messages, options);
        var reference = await CaptureAsync(Reference, messages, options);
        foreach (var (field, _) in RequestDifferences)
        {
            ours.Remove(field);
            reference.Remove(field);
        }

        NormalizeArguments(ours);
        NormalizeArguments(reference);

        Assert.True(JsonNode.DeepEquals(reference, ours), $"{name}\nMEAI.OpenAI: {reference.ToJsonString()}\nours:        {ours.ToJsonString()}");
    }

    public static TheoryData<string> Answers => ["text", "tools", "refusal", "usage-details"];

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Answer_IsReadAsMicrosoftExtensionsAIOpenAIReadsIt(string name)
    {
        var json = name switch
        {
            "text" => """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""",
            "tools" => """{"id":"chatcmpl-2","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""",
            "refusal" => """{"id":"chatcmpl-3","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't."},"finish_reason":"stop"}]}""",
            _ => """{"id":"chatcmpl-4","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":30,"completion_tokens":10,"total_tokens":40,"prompt_tokens_details":{"cached_tokens":20,"audio_tokens":2},"completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":1,"accepted_prediction_tokens":3,"rejected_prediction_tokens":4}}}""",
        };
        var ours = await AnswerAsync(Ours, json);
        var reference = await AnswerAsync(Reference, json);
        Assert.Equal(Describe(reference), Describe(ours));
    }

    [Fact]
    public async Task Stream_IsReadAsMicrosoftExtensionsAIOpenAIReadsIt()
    {
        const string sse = """
            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":"}}]},"finish_reason":null}]}

            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}

            data: {"id":"chatcmpl-5","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"completion_tokens_details":{"reasoning_tokens":1}}}

            data: [DONE]


            """;
        var ours = await StreamAsync(Ours, sse);
        var reference = await StreamAsync(Reference, sse);
        Assert.Equal(Describe(reference), Describe(ours));
    }

    private static IChatClient Ours(FakeUpstream upstream)
        => TestFactory.Create(upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key }).CreateChatClient("openai/gpt-4o-mini");

    private static IChatClient Reference(FakeUpstream upstream)
        => new OpenAIClient(new ApiKeyCredential(Key), new OpenAIClientOptions
        {
            Endpoint = new Uri("https://api.openai.com/v1"),
            Transport = new HttpClientPipelineTransport(new HttpClient(upstream)),
            RetryPolicy = new ClientRetryPolicy(0),
        }).GetChatClient("gpt-4o-mini").AsIChatClient();

    private static async Task<JsonObject> CaptureAsync(Func<FakeUpstream, IChatClient> create, List<ChatMessage> messages, ChatOptions options)
    {
        var upstream = new FakeUpstream();
        upstream.Json("""{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        await create(upstream).GetResponseAsync(messages, options.Clone(), Ct);
        return JsonNode.Parse(upstream.LastRequest.Body!)!.AsObject();
    }

    private static async Task<ChatResponse> AnswerAsync(Func<FakeUpstream, IChatClient> create, string json)
    {
        var upstream = new FakeUpstream();
        upstream.Json(json);
        return await create(upstream).GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions(), Ct);
    }

    private static async Task<ChatResponse> StreamAsync(Func<FakeUpstream, IChatClient> create, string sse)
    {
        var upstream = new FakeUpstream();
        upstream.Sse(sse);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in create(upstream).GetStreamingResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions(), Ct))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    // What a caller reads from an answer: text, calls, refusals, finish, ids and every usage count.
    private static string Describe(ChatResponse response)
    {
        var parts = new List<string>
        {
            "text=" + response.Text,
            "finish=" + response.FinishReason?.Value,
            "id=" + response.ResponseId,
            "model=" + response.ModelId,
        };
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case FunctionCallContent call:
                    parts.Add($"call {call.CallId} {call.Name} {JsonSerializer.Serialize(call.Arguments)}");
                    break;
                case ErrorContent error:
                    parts.Add($"error {error.ErrorCode} {error.Message}");
                    break;
            }
        }

        if (response.Usage is { } usage)
        {
            parts.Add($"usage in={usage.InputTokenCount} out={usage.OutputTokenCount} total={usage.TotalTokenCount} cached={usage.CachedInputTokenCount} reasoning={usage.ReasoningTokenCount}");
            foreach (var (key, value) in (usage.AdditionalCounts ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                parts.Add($"  {key}={value}");
            }
        }

        return string.Join('\n', parts);
    }

    private static void NormalizeArguments(JsonObject body)
    {
        foreach (var message in body["messages"]!.AsArray())
        {
            if (message?["tool_calls"] is JsonArray calls)
            {
                foreach (var call in calls)
                {
                    var function = call!["function"]!.AsObject();
                    function["arguments"] = JsonNode.Parse(function["arguments"]!.GetValue<string>())!.ToJsonString();
                }
            }
        }
    }

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement;

    private static AIFunctionDeclaration Tool()
        => AIFunctionFactory.CreateDeclaration("lookup", "Looks a place up", Schema("""{"type":"object","properties":{"q":{"type":"string"}},"required":["q"]}"""));
}
