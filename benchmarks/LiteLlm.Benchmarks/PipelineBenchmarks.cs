using BenchmarkDotNet.Attributes;
using LiteLlm.Cost;
using LiteLlm.Observability;
using LiteLlm.Providers;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Benchmarks;

/// <summary>Bare provider client vs. the full default pipeline, per call, non-streaming and streaming.</summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private readonly List<ChatMessage> _messages = [new(ChatRole.User, "Say hello.")];
    private LiteLlmClientFactory _factory = null!;
    private IChatClient _bare = null!;
    private IChatClient _router = null!;
    private IChatClient _full = null!;
    private IChatClient _costOnly = null!;
    private IChatClient _budgetOnly = null!;
    private IChatClient _callbacksOnly = null!;
    private IChatClient _telemetryOnly = null!;
    private IChatClient _cacheOnly = null!;
    private IChatClient _fullNoCache = null!;
    private ServiceProvider _services = null!;
    private ChatOptions _options = null!;
    private ChatOptions _noStore = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions
        {
            HttpMessageHandler = new FixedUpstream(),
            EnvironmentVariables = name => name == "OPENAI_API_KEY" ? "sk-bench-0123456789" : null,
            Providers = new ProviderRegistry(),
        });
        _bare = _factory.CreateChatClient("openai/gpt-4o-mini");
        _router = new LiteLlmRouter(new RouterOptions { Deployments = [new Deployment { ModelGroup = "gpt-4o-mini", Model = "openai/gpt-4o-mini" }] }, _factory);

        var collection = new ServiceCollection();
        collection.AddHybridCache();
        collection.AddSingleton<ILiteLlmCallback, NoOpCallback>();
        _services = collection.BuildServiceProvider();
        var budgets = new BudgetManager([new Budget("global", BudgetScope.Global, 1_000_000_000m)], new InMemoryBudgetStore());

        // The default order (LiteLlmRuntime.BuildPipeline): telemetry → callbacks → budgets → cache → cost → router.
        _full = new ChatClientBuilder(_router)
            .UseOpenTelemetry()
            .UseLiteLlmTelemetry()
            .UseCallbacks()
            .UseBudgets(budgets)
            .UseResponseCaching(_services.GetRequiredService<HybridCache>())
            .UseCostTracking()
            .Build(_services);
        _costOnly = new ChatClientBuilder(_router).UseCostTracking().Build(_services);
        _budgetOnly = new ChatClientBuilder(_router).UseBudgets(budgets).Build(_services);
        _callbacksOnly = new ChatClientBuilder(_router).UseCallbacks().Build(_services);
        _telemetryOnly = new ChatClientBuilder(_router).UseOpenTelemetry().UseLiteLlmTelemetry().Build(_services);
        _fullNoCache = new ChatClientBuilder(_router)
            .UseOpenTelemetry()
            .UseLiteLlmTelemetry()
            .UseCallbacks()
            .UseBudgets(budgets)
            .UseCostTracking()
            .Build(_services);
        _cacheOnly = new ChatClientBuilder(_router).UseResponseCaching(_services.GetRequiredService<HybridCache>()).Build(_services);
        _options = new ChatOptions { ModelId = "gpt-4o-mini" };

        // A cache miss on every call: the cache looks up, finds nothing, calls through, does not store.
        _noStore = new ChatOptions { ModelId = "gpt-4o-mini", AdditionalProperties = new() { ["cache"] = new Dictionary<string, object?> { ["no-store"] = true } } };
        _full.GetResponseAsync(_messages, _options).GetAwaiter().GetResult(); // stored once: the CacheHit benchmark reads it
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _factory.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> BareProviderClient() => _bare.GetResponseAsync(_messages);

    [Benchmark]
    public Task<ChatResponse> RouterOnly() => _router.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> RouterAndCost() => _costOnly.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> RouterAndBudget() => _budgetOnly.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> RouterAndCallbacks() => _callbacksOnly.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> RouterAndTelemetry() => _telemetryOnly.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> RouterAndCacheMiss()
        => _cacheOnly.GetResponseAsync([new ChatMessage(ChatRole.User, "Say hello. " + (_n++ & 1023))], _noStore);

    [Benchmark]
    public Task<ChatResponse> FullPipelineCacheMiss()
        => _full.GetResponseAsync([new ChatMessage(ChatRole.User, "Say hello. " + (_n++ & 1023))], _noStore);

    [Benchmark]
    public Task<ChatResponse> FullPipelineWithoutCache() => _fullNoCache.GetResponseAsync(_messages, _options);

    [Benchmark]
    public Task<ChatResponse> FullPipelineCacheHit() => _full.GetResponseAsync(_messages, _options);

    [Benchmark]
    public async Task<int> BareStream()
    {
        var n = 0;
        await foreach (var update in _bare.GetStreamingResponseAsync(_messages))
        {
            n++;
        }

        return n;
    }

    [Benchmark]
    public async Task<int> FullPipelineStream()
    {
        var n = 0;
        await foreach (var update in _full.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Stream. " + (_n++ & 1023))], _noStore))
        {
            n++;
        }

        return n;
    }

    private sealed class NoOpCallback : ILiteLlmCallback
    {
    }
}
