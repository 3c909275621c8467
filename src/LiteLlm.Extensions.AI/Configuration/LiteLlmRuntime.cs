using LiteLlm.Redis;
using LiteLlm.Cost;
using LiteLlm.Models;
using LiteLlm.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LiteLlm.Configuration;

/// <summary>
/// What <c>AddLiteLlm</c> builds and the gateway reads: the loaded config, the client factory, the
/// catalog and the router — which is swapped atomically when the config file's model list changes.
/// </summary>
public sealed partial class LiteLlmRuntime : IDisposable
{
    private readonly LiteLlmOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly FileSystemWatcher? _watcher;
    private readonly Lazy<IConnectionMultiplexer?> _redis;
    private LiteLlmRouter _router;
    private LiteLlmConfig _config;

    internal LiteLlmRuntime(LiteLlmOptions options, LiteLlmConfig config, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _config = config;
        _loggerFactory = loggerFactory;
        Catalog = new ModelCatalog();
        foreach (var model in config.ModelOverrides)
        {
            // A price set in the config changes the price only: the catalog's mode, limits and capabilities stay (as LiteLLM merges).
            Catalog.Register(Catalog.Lookup(model.Name) is { } known
                ? known with
                {
                    Name = model.Name,
                    InputCostPerToken = model.InputCostPerToken ?? known.InputCostPerToken,
                    OutputCostPerToken = model.OutputCostPerToken ?? known.OutputCostPerToken,
                    MaxInputTokens = model.MaxInputTokens ?? known.MaxInputTokens,
                }
                : model);
        }

        Factory = new LiteLlmClientFactory(new LiteLlmClientFactoryOptions
        {
            Catalog = Catalog,
            HttpMessageHandler = options.HttpMessageHandler,
            EnvironmentVariables = name => _config.EnvironmentVariables.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(name),
            DefaultTimeout = config.Litellm.RequestTimeout ?? config.Router.Timeout ?? TimeSpan.FromMinutes(10),
            TimeProvider = options.TimeProvider,
        });
        _redis = new(() => config.Router.RedisConfiguration is { } redis ? RedisConnections.Connect(redis) : null);
        _router = BuildRouter(config);
        ChatClient = new CurrentRouterChatClient(this);
        EmbeddingGenerator = new CurrentRouterEmbeddingGenerator(this);
        if (options.ConfigFile is { } file)
        {
            _watcher = Watch(file);
        }
    }

    /// <summary>Gets the current config.</summary>
    public LiteLlmConfig Config => Volatile.Read(ref _config);

    /// <summary>Gets the factory the deployments' clients come from.</summary>
    public LiteLlmClientFactory Factory { get; }

    /// <summary>Gets the catalog (embedded data plus the config's prices).</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>Gets the current router.</summary>
    public LiteLlmRouter Router => Volatile.Read(ref _router);

    /// <summary>Gets a chat client that always calls the current router (the innermost stage of the pipeline).</summary>
    public IChatClient ChatClient { get; }

    /// <summary>Gets an embedding generator that always calls the current router.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator { get; }

    /// <summary>Gets the Redis connection the config names (router_settings.redis_*), if any.</summary>
    public IConnectionMultiplexer? Redis => _redis.Value;

    /// <summary>Raised after a reload: the new config, or the errors that kept the old one in place.</summary>
    public event EventHandler<LiteLlmConfig>? Reloaded;

    /// <summary>Replaces the model list and router settings; a config with errors is refused and the current one kept.</summary>
    /// <returns>Whether the new config was applied.</returns>
    public bool Reload(LiteLlmConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Errors.Count > 0)
        {
            return false;
        }

        var router = BuildRouter(config);
        Volatile.Write(ref _config, config);
        Volatile.Write(ref _router, router);
        Reloaded?.Invoke(this, config);
        return true;
    }

    /// <summary>Builds the default pipeline over the router, in the documented order (outermost first):
    /// OpenTelemetry → LiteLlm telemetry → callbacks → budgets → response cache → recording → cost tracking → router.</summary>
    internal IChatClient BuildPipeline(IServiceProvider services)
    {
        var builder = new ChatClientBuilder(ChatClient);
        if (_options.Telemetry)
        {
            // MEAI's client gives spans and GenAI metrics; logging is ours (structured, no stack traces for expected failures).
            builder.UseOpenTelemetry().UseLiteLlmTelemetry(_loggerFactory);
        }

        builder.UseCallbacks();
        if (_options.Budgets.Count > 0)
        {
            IBudgetStore store = Redis is { } redis ? new RedisBudgetStore(redis) : new InMemoryBudgetStore();
            builder.UseBudgets(new BudgetManager(_options.Budgets, store, _options.TimeProvider, Catalog, _loggerFactory?.CreateLogger<BudgetManager>())
            {
                ModelInfoFor = PricesFor,
            });
        }

        if (_options.ResponseCache ?? Config.Litellm.Cache)
        {
            builder.UseResponseCaching(configure: o =>
            {
                if (Config.Litellm.CacheParams is { } p)
                {
                    o.Expiration = p.Ttl ?? o.Expiration;
                    o.Namespace = p.Namespace ?? o.Namespace;
                }
            });
        }

        if (Config.Litellm.RecordFile is { } recordFile)
        {
            // Inside the cache: only answers a provider gave are recorded.
            builder.UseRecording(recordFile, o => o.RedactedFields.UnionWith(Config.Litellm.RecordRedactFields));
        }

        if (_options.CostTracking)
        {
            builder.UseCostTracking(Catalog);
        }

        return builder.Build(services);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _watcher?.Dispose();
        Factory.Dispose();
        if (_redis.IsValueCreated)
        {
            _redis.Value?.Dispose();
        }
    }

    /// <summary>The prices a budget estimate uses: a model group's dearest deployment (the router may pick it), else the catalog's.</summary>
    private ModelInfo? PricesFor(string model)
    {
        var router = Router;
        return router.HasModelGroup(model)
            ? router.DeploymentsOf(model).Where(d => d.CostPerToken is not null).MaxBy(d => d.CostPerToken)?.Info
            : Catalog.Lookup(model);
    }

    private LiteLlmRouter BuildRouter(LiteLlmConfig config)
    {
        var options = config.ToRouterOptions(_options.TimeProvider);
        foreach (var deployment in _options.Deployments)
        {
            options.Deployments.Add(deployment);
        }

        if (config.Router.RedisConfiguration is not null && Redis is { } redis)
        {
            options.StateStore = new RedisRouterStateStore(redis, timeProvider: _options.TimeProvider, logger: _loggerFactory?.CreateLogger<RedisRouterStateStore>());
        }

        _options.ConfigureRouter?.Invoke(options);
        return new LiteLlmRouter(options, Factory, _loggerFactory?.CreateLogger<LiteLlmRouter>());
    }

    private FileSystemWatcher Watch(string file)
    {
        var full = Path.GetFullPath(file);
        var watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        watcher.Changed += (_, _) => TryReload(full);
        watcher.Created += (_, _) => TryReload(full);
        watcher.Renamed += (_, _) => TryReload(full);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void TryReload(string file)
    {
        try
        {
            var config = LiteLlmConfigLoader.LoadYamlFile(file);
            if (!Reload(config) && _loggerFactory?.CreateLogger<LiteLlmRuntime>() is { } logger)
            {
                LogReloadRefused(logger, file, string.Join("; ", config.Errors));
            }
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException or UnauthorizedAccessException)
        {
            // A half-written file: the next change event brings the complete one.
            if (_loggerFactory?.CreateLogger<LiteLlmRuntime>() is { } logger)
            {
                LogReloadSkipped(logger, e, file);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The changed config {File} has errors and was not applied: {Errors}")]
    private static partial void LogReloadRefused(ILogger logger, string file, string errors);

    [LoggerMessage(2, LogLevel.Debug, "Config reload of {File} skipped.")]
    private static partial void LogReloadSkipped(ILogger logger, Exception exception, string file);

    private sealed class CurrentRouterChatClient(LiteLlmRuntime runtime) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => runtime.Router.GetResponseAsync(messages, options, cancellationToken);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => runtime.Router.GetStreamingResponseAsync(messages, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null)
            => serviceKey is null && serviceType == typeof(LiteLlmRuntime) ? runtime : runtime.Router.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }

    private sealed class CurrentRouterEmbeddingGenerator(LiteLlmRuntime runtime) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => runtime.Router.EmbeddingGenerator.GenerateAsync(values, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => runtime.Router.EmbeddingGenerator.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }
}
