using LiteLlm.Errors;
using LiteLlm.MockUpstream;
using LiteLlm.Providers;
using Microsoft.AspNetCore.Builder;

namespace LiteLlm.Tests.Providers;

/// <summary>
/// Every upstream fault, over a real loopback socket (the fault-injecting mock upstream), streaming
/// and not: the caller gets the unified exception, never an SDK's or a socket's.
/// </summary>
public sealed class UpstreamFaultTests : IAsyncLifetime
{
    private WebApplication? _upstream;
    private LiteLlmClientFactory? _factory;
    private string _base = "";

    public async ValueTask InitializeAsync()
    {
        _upstream = await MockUpstreamServer.StartAsync(new MockOptions());
        _base = MockUpstreamServer.AddressOf(_upstream) + "/v1";
        _factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions { EnvironmentVariables = _ => null });
    }

    public async ValueTask DisposeAsync()
    {
        _factory?.Dispose();
        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("429", typeof(RateLimitException))]
    [InlineData("500", typeof(InternalServerException))]
    [InlineData("502", typeof(ServiceUnavailableException))]
    [InlineData("503", typeof(ServiceUnavailableException))]
    [InlineData("529", typeof(ServiceUnavailableException))]
    [InlineData("context-window", typeof(ContextWindowExceededException))]
    [InlineData("bad-key", typeof(AuthenticationException))]
    [InlineData("slow-first-byte", typeof(ProviderTimeoutException))]
    [InlineData("reset-mid-body", typeof(ApiConnectionException))]
    [InlineData("malformed-json", typeof(InternalServerException))]
    public async Task NonStreaming(string fault, Type expected)
    {
        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(() => Client().GetResponseAsync("hi", new ChatOptions { ModelId = "openai/fault-" + fault }, TestContext.Current.CancellationToken));
        Assert.IsType(expected, error);
        if (error is RateLimitException rateLimit)
        {
            Assert.Equal(TimeSpan.FromSeconds(1), rateLimit.RetryAfter);
        }
    }

    [Theory]
    [InlineData("429", typeof(RateLimitException), false)]
    [InlineData("503", typeof(ServiceUnavailableException), false)]
    [InlineData("slow-first-byte", typeof(ProviderTimeoutException), false)]
    [InlineData("reset-before-first-chunk", typeof(ApiConnectionException), false)]
    [InlineData("reset-after-first-chunk", typeof(ApiConnectionException), true)]
    [InlineData("no-terminator", typeof(ApiConnectionException), true)]
    [InlineData("mid-stream-error", typeof(ServiceUnavailableException), true)]
    [InlineData("malformed-sse", typeof(InternalServerException), false)]
    public async Task Streaming(string fault, Type expected, bool afterFirstChunk)
    {
        var received = 0;
        var error = await Assert.ThrowsAnyAsync<LiteLlmException>(async () =>
        {
            await foreach (var update in Client().GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "openai/fault-" + fault }, TestContext.Current.CancellationToken))
            {
                received++;
            }
        });

        Assert.IsType(expected, error);
        Assert.Equal(afterFirstChunk, received > 0);
        if (afterFirstChunk)
        {
            Assert.True(error.IsMidStream, fault + " should be reported as mid-stream");
        }
    }

    [Fact]
    public async Task SlowDrip_CompletesWithinTheIdleLimit()
    {
        var text = "";
        await foreach (var update in Client().GetStreamingResponseAsync("hi", new ChatOptions { ModelId = "openai/fault-slow-drip" }, TestContext.Current.CancellationToken))
        {
            text += update.Text;
        }

        Assert.Equal("word word word word word ", text);
    }

    // The model is chosen per call (ChatOptions.ModelId) through the model-string client.
    private LiteLlmChatClient Client() => new(
        "openai/mock-model",
        new ProviderOptions { ApiBase = _base, Timeout = TimeSpan.FromMilliseconds(1500) },
        _factory);
}
