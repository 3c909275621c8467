using LiteLlm.Tests.Providers.Anthropic;
using LiteLlm.Tests.Providers.OpenAI;

namespace LiteLlm.Tests.Conveniences;

/// <summary>check_valid_key: one cheap call, and a status instead of an exception.</summary>
public sealed class KeyCheckTests
{
    private readonly FakeUpstream _upstream = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Error(string type, string message) => $$$"""{"error":{"message":"{{{message}}}","type":"{{{type}}}"}}""";

    [Fact]
    public async Task Valid_AndTheCallAsksForOneToken_WithTheKeyUnderTest()
    {
        _upstream.Json(OpenAIWire.Completion("p", 1, 1, "length"));
        using var factory = TestFactory.Create(_upstream, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-from-env" });

        var result = await factory.CheckValidKeyAsync("openai/gpt-4o-mini", "sk-under-test", cancellationToken: Ct);

        Assert.True(result.IsValid);
        Assert.Equal(KeyCheckStatus.Valid, result.Status);
        var body = _upstream.LastRequest.Json;
        var maxTokens = body.TryGetProperty("max_completion_tokens", out var m) ? m : body.GetProperty("max_tokens");
        Assert.Equal(1, maxTokens.GetInt32());
        Assert.Equal("ping", body.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("Bearer sk-under-test", _upstream.LastRequest.Header("Authorization"));
    }

    [Theory]
    [InlineData(401, "authentication_error", KeyCheckStatus.InvalidKey, false)]
    [InlineData(403, "permission_error", KeyCheckStatus.NoAccess, false)]
    [InlineData(404, "not_found_error", KeyCheckStatus.ModelNotFound, false)]
    [InlineData(429, "rate_limit_error", KeyCheckStatus.RateLimited, true)]
    public async Task ProviderAnswers_MapToAStatus_WithoutThrowing(int status, string type, KeyCheckStatus expected, bool valid)
    {
        _upstream.Status(status, Error(type, "nope"));
        using var factory = TestFactory.Create(_upstream);

        var result = await factory.CheckValidKeyAsync("openai/gpt-4o-mini", "sk-bad-key-123456", cancellationToken: Ct);

        Assert.Equal(expected, result.Status);
        Assert.Equal(valid, result.IsValid);
        Assert.Equal(status, result.StatusCode);
        Assert.DoesNotContain("sk-bad-key-123456", result.Message ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicToo_AsksForOneToken()
    {
        _upstream.Status(401, """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");
        _upstream.Json(AnthropicWire.Text("p"));
        using var factory = TestFactory.Create(_upstream);

        var invalid = await factory.CheckValidKeyAsync("anthropic/claude-3-5-haiku-20241022", "bad", cancellationToken: Ct);
        var valid = await factory.CheckValidKeyAsync("anthropic/claude-3-5-haiku-20241022", "good", cancellationToken: Ct);

        Assert.Equal(KeyCheckStatus.InvalidKey, invalid.Status);
        Assert.Equal(KeyCheckStatus.Valid, valid.Status);
        Assert.Equal(1, _upstream.LastRequest.Json.GetProperty("max_tokens").GetInt32());
        Assert.Equal("good", _upstream.LastRequest.Header("x-api-key"));
    }

    [Fact]
    public async Task ConnectionRefused_IsUnreachable()
    {
        _upstream.Refuse();
        using var factory = TestFactory.Create(_upstream);

        var result = await factory.CheckValidKeyAsync("openai/gpt-4o-mini", "sk-x", cancellationToken: Ct);

        Assert.Equal(KeyCheckStatus.Unreachable, result.Status);
        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task NoKey_AndUnknownModel_AreReportedToo()
    {
        using var factory = TestFactory.Create(_upstream);

        var noKey = await factory.CheckValidKeyAsync("openai/gpt-4o-mini", null, cancellationToken: Ct);
        var unknown = await factory.CheckValidKeyAsync("no-such-provider/x", "k", cancellationToken: Ct);

        Assert.Equal(KeyCheckStatus.InvalidKey, noKey.Status);
        Assert.Equal(KeyCheckStatus.ModelNotFound, unknown.Status);
        Assert.Empty(_upstream.Requests);
    }

    [Fact]
    public async Task Llm_CheckValidKey_UsesTheDefaultFactory()
    {
        var result = await Llm.CheckValidKeyAsync("mock/any", "whatever", Ct);

        Assert.Equal(KeyCheckStatus.Valid, result.Status);
    }

    [Fact]
    public async Task CallerCancellation_Throws()
    {
        _upstream.Hang();
        using var factory = TestFactory.Create(_upstream);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var pending = factory.CheckValidKeyAsync("openai/gpt-4o-mini", "sk-x", cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }
}
