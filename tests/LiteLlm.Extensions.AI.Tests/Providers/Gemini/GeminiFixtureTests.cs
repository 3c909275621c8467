using System.Net;
using LiteLlm.Errors;

namespace LiteLlm.Tests.Providers.Gemini;

/// <summary>Replays the recorded Gemini transcripts in ../shared/fixtures/gemini.</summary>
public sealed class GeminiFixtureTests
{
    private readonly FakeUpstream _upstream = new();

    private IChatClient Client()
        => TestFactory.Create(_upstream, new Dictionary<string, string> { ["GEMINI_API_KEY"] = "AIza-test-gemini-0123456789" }).CreateChatClient("gemini/gemini-2.0-flash");

    private async Task<List<ChatResponseUpdate>> StreamAsync()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client().GetStreamingResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public async Task UnarySuccess_BasicReplyShort()
    {
        _upstream.Json(Fixtures.Read("gemini/unary-success-basic-reply-short.json"));
        var response = await Client().GetResponseAsync("Where is Google?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(7, response.Usage?.InputTokenCount);
        Assert.Equal(22, response.Usage?.OutputTokenCount);
        Assert.Equal(29, response.Usage?.TotalTokenCount);
        Assert.Equal("gemini-2.0-flash", response.ModelId);
    }

    [Fact]
    public async Task StreamingSuccess_BasicReplyLong_WithCrlfFraming()
    {
        var body = Fixtures.Read("gemini/streaming-success-basic-reply-long.txt");
        Assert.Contains("\r\n\r\n", body, StringComparison.Ordinal);
        _upstream.Sse(body);

        var updates = await StreamAsync();

        var texts = updates.Select(u => u.Text).Where(t => t.Length > 0).ToList();
        Assert.Equal(36, texts.Count);
        Assert.Equal("Okay", texts[0]);
        Assert.StartsWith("Okay, let's dive into the world of cats and dogs!", string.Concat(texts), StringComparison.Ordinal);
        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(10, response.Usage?.InputTokenCount);
        Assert.Equal(1996, response.Usage?.OutputTokenCount);
        Assert.Equal(2006, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task UnaryFailure_ApiKey_IsAuthentication()
    {
        _upstream.Status(400, Fixtures.Read("gemini/unary-failure-api-key.json"));
        var error = await Assert.ThrowsAsync<AuthenticationException>(() => Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("API key not valid", error.ProviderMessage, StringComparison.Ordinal);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task UnaryFailure_UnknownModel_IsNotFound()
    {
        _upstream.Status(404, Fixtures.Read("gemini/unary-failure-unknown-model.json"));
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("models/gemini-5.0-flash is not found", error.ProviderMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryFailure_OnlyPromptFeedback_IsContentPolicy()
    {
        _upstream.Json(Fixtures.Read("gemini/unary-failure-only-prompt-feedback.json"));
        var error = await Assert.ThrowsAsync<ContentPolicyViolationException>(() => Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("Message", error.ProviderMessage, StringComparison.Ordinal);
        Assert.Equal("gemini", error.Provider);
    }

    [Fact]
    public async Task StreamingFailure_PromptBlockedSafety_IsContentPolicy()
    {
        _upstream.Sse(Fixtures.Read("gemini/streaming-failure-prompt-blocked-safety.txt"));
        var error = await Assert.ThrowsAsync<ContentPolicyViolationException>(StreamAsync);
        Assert.Contains("SAFETY", error.ProviderMessage, StringComparison.Ordinal);
        Assert.Equal("SAFETY", error.ProviderCode);
    }

    [Fact]
    public async Task UnaryFailure_FinishReasonSafety_IsContentFilter()
    {
        _upstream.Json(Fixtures.Read("gemini/unary-failure-finish-reason-safety.json"));
        var response = await Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal("Safety error incoming in 5, 4, 3, 2...", response.Text);
    }

    [Fact]
    public async Task StreamingSuccess_ThinkingFunctionCall_GivesReasoningCallAndThoughtUsage()
    {
        _upstream.Sse(Fixtures.Read("gemini/streaming-success-thinking-function-call-thought-summary-signature.txt"));
        var updates = await StreamAsync();

        var contents = updates.SelectMany(u => u.Contents).ToList();
        var reasoning = contents.OfType<TextReasoningContent>().ToList();
        Assert.Equal(2, reasoning.Count);
        Assert.StartsWith("**Calculating the Days**", reasoning[0].Text, StringComparison.Ordinal);
        Assert.Empty(contents.OfType<TextContent>());
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal("now", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Empty(call.Arguments!);
        Assert.StartsWith("CiIBVKhc7v", call.AdditionalProperties?["thoughtSignature"]?.ToString(), StringComparison.Ordinal);

        var response = updates.ToChatResponse();
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(38, response.Usage?.InputTokenCount);
        Assert.Equal(6 + 168, response.Usage?.OutputTokenCount);
        Assert.Equal(168, response.Usage?.ReasoningTokenCount);
        Assert.Equal(212, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task UnarySuccess_ThinkingFunctionCall_GivesReasoningAndCall()
    {
        _upstream.Json(Fixtures.Read("gemini/unary-success-thinking-function-call-thought-summary-signature.json"));
        var response = await Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken);

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Single(contents.OfType<TextReasoningContent>());
        Assert.Equal("now", Assert.Single(contents.OfType<FunctionCallContent>()).Name);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.NotNull(response.Usage?.ReasoningTokenCount);
    }

    [Fact]
    public async Task StreamingFailure_RecitationNoContent_IsContentFilterAfterTheText()
    {
        _upstream.Sse(Fixtures.Read("gemini/streaming-failure-recitation-no-content.txt"));
        var response = (await StreamAsync()).ToChatResponse();

        Assert.Equal("text1text2text3text4text5text6text7text8", response.Text);
        Assert.Equal(ChatFinishReason.ContentFilter, response.FinishReason);
        Assert.Equal(261, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task UnaryFailure_ApiNotEnabled_IsPermissionDenied()
    {
        _upstream.Status(403, Fixtures.Read("gemini/unary-failure-generativelanguage-api-not-enabled.json"));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("unary-success-basic-reply-long.json")]
    [InlineData("unary-success-citations.json")]
    [InlineData("unary-success-code-execution.json")]
    [InlineData("unary-success-google-search-grounding.json")]
    [InlineData("unary-success-url-context.json")]
    [InlineData("unary-success-thinking-reply-thought-summary.json")]
    public async Task EveryRecordedUnarySuccess_GivesTextAndAFinishReason(string fixture)
    {
        _upstream.Json(Fixtures.Read("gemini/" + fixture));
        var response = await Client().GetResponseAsync("Hi", cancellationToken: TestContext.Current.CancellationToken);

        Assert.NotEmpty(response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.NotNull(response.Usage?.InputTokenCount);
    }

    [Theory]
    [InlineData("streaming-success-basic-reply-short.txt")]
    [InlineData("streaming-success-citations.txt")]
    [InlineData("streaming-success-code-execution.txt")]
    [InlineData("streaming-success-empty-parts.txt")]
    [InlineData("streaming-success-finish-message.txt")]
    [InlineData("streaming-success-no-content-parts.txt")]
    [InlineData("streaming-success-thinking-reply-thought-summary.txt")]
    [InlineData("streaming-success-url-context.txt")]
    public async Task EveryRecordedStreamingSuccess_GivesTextAFinishReasonAndUsageOnce(string fixture)
    {
        _upstream.Sse(Fixtures.Read("gemini/" + fixture));
        var updates = await StreamAsync();
        var response = updates.ToChatResponse();

        Assert.NotEmpty(response.Text);
        Assert.NotNull(response.FinishReason);

        // Usage is reported once at the end, when the stream had any (the finish-message recording has none).
        Assert.InRange(updates.SelectMany(u => u.Contents).OfType<UsageContent>().Count(), fixture.Contains("finish-message", StringComparison.Ordinal) ? 0 : 1, 1);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "The input token count (314175) exceeds the maximum number of tokens allowed (131072).", typeof(ContextWindowExceededException))]
    [InlineData(HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", typeof(RateLimitException))]
    [InlineData(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "The model is overloaded. Please try again later.", typeof(ServiceUnavailableException))]
    [InlineData(HttpStatusCode.NotFound, "NOT_FOUND", "models/x is not found", typeof(NotFoundException))]
    [InlineData(HttpStatusCode.GatewayTimeout, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", typeof(ProviderTimeoutException))]
    public void ErrorMapper_MapsGeminiErrorBodies(HttpStatusCode status, string rpcStatus, string message, Type expected)
    {
        var error = ErrorMapper.FromResponse("gemini", "gemini-2.0-flash", (int)status, GeminiWire.Error((int)status, rpcStatus, message));
        Assert.IsType(expected, error);
        Assert.Equal(message, error.ProviderMessage);
    }
}
