using System.Text.Json;
using LiteLlm.Errors;
using LiteLlm.Providers;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests.Observability;

/// <summary>Calls recorded against a (fake) provider are played back by <c>mock/replay</c> with no upstream, exactly.</summary>
public sealed class RecordingReplayTests : IDisposable
{
    private const string EnvKey = "sk-test-secret-0123456789abcdef";
    private const string CallKey = "sk-call-secret-9876543210fedcba";
    private readonly FakeUpstream _upstream = new();
    private readonly string _path = Path.Combine(Path.GetTempPath(), "litellm-rec-" + Guid.NewGuid().ToString("N") + ".jsonl");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => File.Delete(_path);

    private static ChatOptions Options() => new()
    {
        Temperature = 0.2f,
        Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}}}""").RootElement)],
        AdditionalProperties = new() { ["user_email"] = "ann@example.com", [CallSettings.ApiKey] = CallKey },
    };

    private IChatClient Replay() => new LiteLlmClientFactory(new LiteLlmClientFactoryOptions { HttpMessageHandler = new FakeUpstream() })
        .CreateChatClient("mock/replay", new ProviderOptions { Settings = new Dictionary<string, object?> { ["replay_file"] = _path } });

    // The replay says truthfully which provider answered (litellm.provider is "mock"); everything else is the recording.
    private static string Json<T>(T value) => System.Text.RegularExpressions.Regex.Replace(
        JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions), "\"litellm.provider\": \"[a-z]+\"", "\"litellm.provider\": \"-\"");

    [Fact]
    public async Task RecordedCalls_ReplayIdentically_WithoutUpstream_AndWithoutSecrets()
    {
        _upstream.Json(OpenAIWire.ToolCall()).Json(OpenAIWire.Completion("18C and sunny in Paris.", 31, 8))
            .Sse(OpenAIWire.TextStream(["It ", "is ", "sunny."])).Sse(OpenAIWire.ToolCallStream());
        var recording = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = EnvKey })
            .CreateChatClient("openai/gpt-4o-mini").AsBuilder()
            .UseRecording(_path, o => o.RedactedFields.Add("user_email")).Build();

        List<ChatMessage> turn = [new(ChatRole.User, "Weather in Paris?")];
        var asked = await recording.GetResponseAsync(turn, Options(), Ct);
        List<ChatMessage> answered = [.. turn, .. asked.Messages, new(ChatRole.Tool, [new FunctionResultContent("call_1", "18C, sun")])];
        var final = await recording.GetResponseAsync(answered, Options(), Ct);
        var stream = await recording.GetStreamingResponseAsync("Is it sunny?", Options(), Ct).ToListAsync(Ct);
        var toolStream = await recording.GetStreamingResponseAsync("Weather in Lyon?", Options(), Ct).ToListAsync(Ct);
        Assert.Equal(4, _upstream.Requests.Count);

        // The replay reaches no upstream: its factory's handler has nothing scripted and would throw.
        var replay = Replay();
        var asked2 = await replay.GetResponseAsync([new(ChatRole.User, "Weather in Paris?")], Options(), Ct);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(asked2.Messages[0].Contents));
        Assert.Equal(("call_1", "get_weather", "Paris"), (call.CallId, call.Name, call.Arguments!["location"]!.ToString()));
        Assert.Equal(Json(asked), Json(asked2));
        Assert.Equal(ChatFinishReason.ToolCalls, asked2.FinishReason);
        Assert.Equal("mock", asked2.AdditionalProperties?["litellm.provider"]?.ToString());

        List<ChatMessage> answered2 = [new(ChatRole.User, "Weather in Paris?"), .. asked2.Messages, new(ChatRole.Tool, [new FunctionResultContent("call_1", "18C, sun")])];
        var final2 = await replay.GetResponseAsync(answered2, Options(), Ct);
        Assert.Equal("18C and sunny in Paris.", final2.Text);
        Assert.Equal((31L, 8L, 39L), (final2.Usage!.InputTokenCount, final2.Usage.OutputTokenCount, final2.Usage.TotalTokenCount));
        Assert.Equal(Json(final), Json(final2));

        var stream2 = await replay.GetStreamingResponseAsync("Is it sunny?", Options(), Ct).ToListAsync(Ct);
        Assert.Equal(stream.Count, stream2.Count);
        Assert.Equal(stream.Select(u => u.Text), stream2.Select(u => u.Text));
        Assert.Equal(Json(stream), Json(stream2));
        Assert.Equal("It is sunny.", stream2.ToChatResponse().Text);
        Assert.Equal(17L, stream2.ToChatResponse().Usage!.TotalTokenCount);

        var toolStream2 = await replay.GetStreamingResponseAsync("Weather in Lyon?", Options(), Ct).ToListAsync(Ct);
        Assert.Equal(Json(toolStream), Json(toolStream2));
        var streamedCall = Assert.Single(toolStream2.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("Paris", streamedCall.Arguments!["location"]!.ToString());

        // A streamed recording answers a plain call too (the updates joined).
        Assert.Equal("It is sunny.", (await replay.GetResponseAsync("Is it sunny?", Options(), Ct)).Text);

        var file = await File.ReadAllTextAsync(_path, Ct);
        Assert.Equal(4, file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain(EnvKey, file, StringComparison.Ordinal);
        Assert.DoesNotContain(CallKey, file, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", file, StringComparison.Ordinal);
        Assert.Contains("\"user_email\":\"[REDACTED]\"", file, StringComparison.Ordinal);
        Assert.Contains("Weather in Paris?", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_OfAConversationNeverRecorded_SaysSo()
    {
        _upstream.Json(OpenAIWire.Completion("hello"));
        var recording = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = EnvKey })
            .CreateChatClient("openai/gpt-4o-mini").AsBuilder().UseRecording(_path).Build();
        await recording.GetResponseAsync("Hi", cancellationToken: Ct);

        var replay = Replay();
        Assert.Equal("hello", (await replay.GetResponseAsync("Hi", cancellationToken: Ct)).Text);
        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => replay.GetResponseAsync("Something else", cancellationToken: Ct));
        Assert.Contains("no call in", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMockReplayDeployment_WithoutReplayFile_IsAConfigError()
    {
        var config = LiteLlm.Configuration.LiteLlmConfigLoader.ParseYaml("""
            model_list:
              - model_name: replayed
                litellm_params: {model: mock/replay}
            """);

        var error = Assert.Single(config.Errors);
        Assert.StartsWith("model_list[0].litellm_params.replay_file:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_RepeatsRecordingsOfOneConversation_InOrder()
    {
        _upstream.Json(OpenAIWire.Completion("first")).Json(OpenAIWire.Completion("second"));
        var recording = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = EnvKey })
            .CreateChatClient("openai/gpt-4o-mini").AsBuilder().UseRecording(_path).Build();
        await recording.GetResponseAsync("Roll", cancellationToken: Ct);
        await recording.GetResponseAsync("Roll", cancellationToken: Ct);

        var replay = Replay();
        var texts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            texts.Add((await replay.GetResponseAsync("Roll", cancellationToken: Ct)).Text);
        }

        Assert.Equal(["first", "second", "second"], texts);
    }
}
