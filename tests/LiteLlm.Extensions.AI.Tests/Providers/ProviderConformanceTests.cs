using System.Text.Json;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers;

/// <summary>The situations every provider must handle, each scripted in the provider's own wire format.</summary>
public enum Scenario
{
    /// <summary>Answers <see cref="ProviderConformanceTests.ExpectedText"/> with usage 12 in / 5 out.</summary>
    Text,

    /// <summary>Streams <see cref="ProviderConformanceTests.ExpectedChunks"/>, then usage 12 in / 5 out.</summary>
    TextStream,

    /// <summary>Answers one call of get_weather({"location":"Paris"}) with id call_1.</summary>
    ToolCall,

    /// <summary>Streams that call with its arguments in fragments.</summary>
    ToolCallStream,

    /// <summary>Streams one text chunk ("Hel") and then an error event (the provider overloaded).</summary>
    MidStreamError,
}

/// <summary>
/// One conformance suite every provider client passes by subclassing it: text, streams, tools,
/// streamed tools, usage, and every error class, each scripted in the provider's own format.
/// </summary>
public abstract class ProviderConformanceTests
{
    public const string ExpectedText = "Hello there!";
    public static readonly string[] ExpectedChunks = ["Hel", "lo ", "there!"];
    public const string ToolName = "get_weather";

    /// <summary>Gets a client primed to answer <paramref name="scenario"/>.</summary>
    protected abstract IChatClient Arrange(Scenario scenario);

    /// <summary>Gets a client primed to fail with <paramref name="kind"/>, or null when the provider has no such signal.</summary>
    protected abstract IChatClient? ArrangeError(LiteLlmErrorKind kind);

    /// <summary>Gets a client whose provider never answers and whose time limit is short.</summary>
    protected abstract IChatClient? ArrangeTimeout();

    /// <summary>Gets a client whose provider refuses the connection.</summary>
    protected abstract IChatClient? ArrangeConnectionFailure();

    protected virtual ChatOptions Options() => new() { Tools = [AIFunctionFactory.CreateDeclaration(ToolName, "Gets the weather", JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}""").RootElement)] };

    protected static List<ChatMessage> Prompt() => [new(ChatRole.User, "Say hello")];

    [Fact]
    public async Task Text_ReturnsTextUsageAndFinishReason()
    {
        var response = await Arrange(Scenario.Text).GetResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken);

        Assert.Equal(ExpectedText, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.False(string.IsNullOrEmpty(response.ModelId));
    }

    [Fact]
    public async Task Stream_YieldsChunksInOrderWithUsage()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Arrange(Scenario.TextStream).GetStreamingResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        var texts = updates.Select(u => u.Text).Where(t => t.Length > 0).ToList();
        Assert.Equal(ExpectedChunks, texts);
        var response = updates.ToChatResponse();
        Assert.Equal(ExpectedText, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task ToolCall_ReturnsFunctionCallWithParsedArguments()
    {
        var response = await Arrange(Scenario.ToolCall).GetResponseAsync(Prompt(), Options(), TestContext.Current.CancellationToken);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ToolName, call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Paris", call.Arguments?["location"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task StreamedToolCall_ReassemblesArgumentFragments()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Arrange(Scenario.ToolCallStream).GetStreamingResponseAsync(Prompt(), Options(), TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal(ToolName, call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Paris", call.Arguments?["location"]?.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates.ToChatResponse().FinishReason);
    }

    [Fact]
    public async Task MidStreamError_SurfacesAsUnifiedExceptionAfterFirstChunk()
    {
        var received = new List<string>();
        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(async () =>
        {
            await foreach (var update in Arrange(Scenario.MidStreamError).GetStreamingResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken))
            {
                received.Add(update.Text);
            }
        });

        Assert.Contains("Hel", string.Concat(received));
        Assert.True(error.IsMidStream, $"expected a mid-stream error, got {error.GetType().Name}: {error.Message}");
        Assert.True(error.IsTransient, $"an overloaded provider mid-stream is transient; got {error.GetType().Name}");
    }

    [Theory]
    [InlineData(LiteLlmErrorKind.Authentication, typeof(AuthenticationException))]
    [InlineData(LiteLlmErrorKind.PermissionDenied, typeof(PermissionDeniedException))]
    [InlineData(LiteLlmErrorKind.NotFound, typeof(NotFoundException))]
    [InlineData(LiteLlmErrorKind.BadRequest, typeof(BadRequestException))]
    [InlineData(LiteLlmErrorKind.ContextWindowExceeded, typeof(ContextWindowExceededException))]
    [InlineData(LiteLlmErrorKind.ContentPolicy, typeof(ContentPolicyViolationException))]
    [InlineData(LiteLlmErrorKind.RateLimit, typeof(RateLimitException))]
    [InlineData(LiteLlmErrorKind.ServiceUnavailable, typeof(ServiceUnavailableException))]
    [InlineData(LiteLlmErrorKind.InternalServer, typeof(InternalServerException))]
    public async Task Errors_MapToTheUnifiedHierarchy(LiteLlmErrorKind kind, Type expected)
    {
        var client = ArrangeError(kind);
        if (client is null)
        {
            Assert.Skip($"{GetType().Name}: the provider has no distinct {kind} signal.");
        }

        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => client!.GetResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken));

        Assert.IsType(expected, error);
        Assert.Equal(kind, error.Kind);
        Assert.False(string.IsNullOrEmpty(error.Provider));
        Assert.False(string.IsNullOrEmpty(error.Model));
        Assert.False(string.IsNullOrEmpty(error.ProviderMessage));
        if (error is RateLimitException rateLimit)
        {
            Assert.Equal(TimeSpan.FromSeconds(7), rateLimit.RetryAfter);
        }
    }

    [Fact]
    public async Task Errors_InStreamsMapTheSameWay()
    {
        var client = ArrangeError(LiteLlmErrorKind.RateLimit);
        Assert.NotNull(client);

        await Assert.ThrowsAsync<RateLimitException>(async () =>
        {
            await foreach (var update in client!.GetStreamingResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken))
            {
            }
        });
    }

    [Fact]
    public async Task Timeout_IsATimeoutError()
    {
        var client = ArrangeTimeout();
        if (client is null)
        {
            Assert.Skip("no network to time out");
        }

        var error = await Assert.ThrowsAsync<ProviderTimeoutException>(() => client!.GetResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task ConnectionFailure_IsAConnectionError()
    {
        var client = ArrangeConnectionFailure();
        if (client is null)
        {
            Assert.Skip("no network to fail");
        }

        await Assert.ThrowsAsync<ApiConnectionException>(() => client!.GetResponseAsync(Prompt(), new ChatOptions(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CallerCancellation_IsNotTranslated()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Arrange(Scenario.Text).GetResponseAsync(Prompt(), new ChatOptions(), cts.Token));
    }

    [Fact]
    public void Metadata_NamesProviderAndModel()
    {
        var metadata = Arrange(Scenario.Text).GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.False(string.IsNullOrEmpty(metadata.ProviderName));
        Assert.False(string.IsNullOrEmpty(metadata.DefaultModelId));
    }
}

/// <summary>The conformance suite for providers reached over HTTP: answers come from a fake upstream.</summary>
public abstract class HttpProviderConformanceTests : ProviderConformanceTests
{
    protected FakeUpstream Upstream { get; } = new();

    protected abstract string Model { get; }

    protected virtual Dictionary<string, string> Environment => [];

    /// <summary>Scripts the upstream's answer for a scenario.</summary>
    protected abstract void Script(Scenario scenario);

    /// <summary>Scripts the upstream's answer for an error kind (Retry-After: 7 for rate limits); false when the provider has no such signal.</summary>
    protected abstract bool ScriptError(LiteLlmErrorKind kind);

    protected IChatClient Client(TimeSpan? timeout = null)
        => TestFactory.Create(Upstream, Environment).CreateChatClient(Model, timeout is null ? null : new LiteLlm.Providers.ProviderOptions { Timeout = timeout });

    protected override IChatClient Arrange(Scenario scenario)
    {
        Script(scenario);
        return Client();
    }

    protected override IChatClient? ArrangeError(LiteLlmErrorKind kind)
    {
        if (!ScriptError(kind))
        {
            return null;
        }

        // The same answer again for the streaming variant.
        ScriptError(kind);
        return Client();
    }

    protected override IChatClient ArrangeTimeout()
    {
        Upstream.Hang();
        return Client(TimeSpan.FromMilliseconds(200));
    }

    protected override IChatClient ArrangeConnectionFailure()
    {
        Upstream.Refuse();
        return Client();
    }
}
