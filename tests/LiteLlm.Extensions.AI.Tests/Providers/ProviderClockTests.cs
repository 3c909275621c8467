using LiteLlm.Errors;
using LiteLlm.Providers;
using Microsoft.Extensions.Time.Testing;

namespace LiteLlm.Tests.Providers;

/// <summary>A deployment's time limit runs on the factory's clock, so a host (or a test) that moves time moves it.</summary>
public sealed class ProviderClockTests
{
    [Fact]
    public async Task TheTimeLimit_FiresWhenTheFactorysClockPassesIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var upstream = new SilentUpstream();
        using var factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions
        {
            HttpMessageHandler = upstream,
            EnvironmentVariables = name => name == "OPENAI_API_KEY" ? "sk-test" : null,
            Providers = new ProviderRegistry(),
            TimeProvider = time,
        });
        var client = factory.CreateChatClient("openai/gpt-4o-mini", new ProviderOptions { Timeout = TimeSpan.FromMinutes(10) });

        var ct = TestContext.Current.CancellationToken;
        var call = client.GetResponseAsync("Hello", cancellationToken: ct);
        await upstream.Received.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.False(call.IsCompleted);

        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));

        // Ten minutes on the real clock never pass here: only the factory's clock can end the call.
        var error = await Assert.ThrowsAsync<ProviderTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), ct));
        Assert.Equal("openai", error.Provider);
    }

    private sealed class SilentUpstream : HttpMessageHandler
    {
        public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Received.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
