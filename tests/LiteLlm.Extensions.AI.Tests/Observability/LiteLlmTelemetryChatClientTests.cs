using System.Diagnostics;
using LiteLlm.Observability;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LiteLlm.Tests.Observability;

public sealed class LiteLlmTelemetryChatClientTests
{
    private const string SecretPrompt = "my diagnosis is confidential";
    private const string SecretAnswer = "the confidential answer";
    private const string ApiKey = "sk-live-do-not-log-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestChatClient Upstream() => new()
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, SecretAnswer))
        {
            ModelId = "gpt-4o-2024-08-06",
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 4 },
            AdditionalProperties = new()
            {
                [ResponseProperties.Provider] = "openai",
                [ResponseProperties.ModelGroup] = "gpt-4o",
                [ResponseProperties.Attempts] = 3,
                [ResponseProperties.Fallbacks] = new[] { "claude" },
                [ResponseProperties.Cost] = 0.01m,
            },
        }),
    };

    private static ChatOptions Options() => new() { ModelId = "gpt-4o", AdditionalProperties = new() { ["api_key"] = ApiKey } };

    [Fact]
    public async Task Metrics_CountRequestsTokensCostRetriesFallbacksCacheHitsAndLatency()
    {
        var meter = $"LiteLlm.Test.{Guid.NewGuid():N}";
        using var requests = new MetricCollector<long>(null, meter, "litellm.requests");
        using var tokens = new MetricCollector<long>(null, meter, "litellm.tokens");
        using var cost = new MetricCollector<double>(null, meter, "litellm.cost");
        using var retries = new MetricCollector<long>(null, meter, "litellm.retries");
        using var fallbacks = new MetricCollector<long>(null, meter, "litellm.fallbacks");
        using var hits = new MetricCollector<long>(null, meter, "litellm.cache.hits");
        using var duration = new MetricCollector<double>(null, meter, "litellm.request.duration");
        var inner = Upstream();
        using var client = inner.AsBuilder().UseLiteLlmTelemetry(meterName: meter).UseResponseCaching(Caching.CacheTestHelpers.NewCache()).Build();

        await client.GetResponseAsync("hello", Options(), Ct);
        await client.GetResponseAsync("hello", Options(), Ct);

        var first = requests.GetMeasurementSnapshot()[0];
        Assert.Equal(2, requests.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal("gpt-4o", first.Tags[LiteLlmMetrics.ModelGroupTag]);
        Assert.Equal("openai", first.Tags[LiteLlmMetrics.ProviderTag]);
        Assert.Equal("success", first.Tags[LiteLlmMetrics.OutcomeTag]);
        Assert.Equal(28, tokens.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(8, tokens.GetMeasurementSnapshot().Where(m => m.Tags[LiteLlmMetrics.TokenTypeTag] is "output").Sum(m => m.Value));
        Assert.Equal(0.01, cost.GetMeasurementSnapshot().EvaluateAsCounter(), 6);
        Assert.Equal(2, retries.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, fallbacks.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, hits.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Failures_AreCountedWithTheirErrorType()
    {
        var meter = $"LiteLlm.Test.{Guid.NewGuid():N}";
        using var requests = new MetricCollector<long>(null, meter, "litellm.requests");
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw new TimeoutException() };
        using var client = inner.AsBuilder().UseLiteLlmTelemetry(meterName: meter).Build();

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync("hello", Options(), Ct));

        var m = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal("failure", m.Tags[LiteLlmMetrics.OutcomeTag]);
        Assert.Equal(nameof(TimeoutException), m.Tags[LiteLlmMetrics.ErrorTypeTag]);
    }

    [Fact]
    public async Task Streams_RecordTimeToFirstToken()
    {
        var meter = $"LiteLlm.Test.{Guid.NewGuid():N}";
        using var ttft = new MetricCollector<double>(null, meter, "litellm.time_to_first_token");
        var inner = new TestChatClient
        {
            GetStreamingResponseAsyncCallback = (_, _, _) => TestChatClient.Stream(new ChatResponseUpdate(ChatRole.Assistant, "a"), new ChatResponseUpdate(ChatRole.Assistant, "b")),
        };
        using var client = inner.AsBuilder().UseLiteLlmTelemetry(meterName: meter).Build();

        await client.GetStreamingResponseAsync("hello", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Single(ttft.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Logs_NeverHoldMessageTextOrKeys_UnlessSensitiveDataIsEnabled()
    {
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        using var client = Upstream().AsBuilder().UseLiteLlmTelemetry(factory, $"LiteLlm.Test.{Guid.NewGuid():N}").Build();

        await client.GetResponseAsync(SecretPrompt, Options(), Ct);

        var logs = collector.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.Contains(logs, r => r.Message.Contains("gpt-4o") && r.Message.Contains("openai"));
        Assert.All(logs, r => Assert.DoesNotContain(SecretPrompt, r.Message));
        Assert.All(logs, r => Assert.DoesNotContain(SecretAnswer, r.Message));
        Assert.All(logs, r => Assert.DoesNotContain(ApiKey, r.Message + string.Join(",", r.StructuredState ?? [])));

        collector.Clear();
        using var sensitive = Upstream().AsBuilder().UseLiteLlmTelemetry(factory, $"LiteLlm.Test.{Guid.NewGuid():N}", c => c.EnableSensitiveData = true).Build();
        await sensitive.GetResponseAsync(SecretPrompt, Options(), Ct);
        Assert.Contains(collector.GetSnapshot(), r => r.Message.Contains(SecretPrompt));
        Assert.Contains(collector.GetSnapshot(), r => r.Message.Contains(SecretAnswer));
    }

    [Fact]
    public async Task ComposesWithMeaiOpenTelemetry_WhichEmitsTheGenAiSpan()
    {
        var source = $"LiteLlm.Test.{Guid.NewGuid():N}";
        var activities = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(source).AddInMemoryExporter(activities).Build();
        using var requests = new MetricCollector<long>(null, source, "litellm.requests");
        using var client = Upstream().AsBuilder()
            .UseOpenTelemetry(sourceName: source)
            .UseLiteLlmTelemetry(meterName: source)
            .Build();

        await client.GetResponseAsync("hello", Options(), Ct);
        tracer.ForceFlush();

        var span = Assert.Single(activities);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("gpt-4o", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(10, Convert.ToInt32(span.GetTagItem("gen_ai.usage.input_tokens")));
        Assert.Equal(1, requests.GetMeasurementSnapshot().EvaluateAsCounter());
    }
}
