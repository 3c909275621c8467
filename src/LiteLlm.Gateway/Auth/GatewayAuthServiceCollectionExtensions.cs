using LiteLlm.Configuration;
using LiteLlm.Gateway.Hosting;
using LiteLlm.Gateway.Limits;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;
using LiteLlm.Redis;

namespace LiteLlm.Gateway.Auth;

/// <summary>Turns on keys and spend when <c>general_settings.master_key</c> is set (SQLite by default, PostgreSQL with <c>database_url</c>).</summary>
public static class GatewayAuthServiceCollectionExtensions
{
    /// <summary>Registers the key gate, the key and spend store (schema created at start) and the batched spend writer.</summary>
    public static IServiceCollection AddGatewayAuthAndSpend(this IServiceCollection services, GatewayAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.MasterKey))
        {
            return services; // no master key: the open gate and no spend storage, as LiteLLM without a database
        }

        var store = SqlGatewayStore.Create(options);
        services.AddSingleton(options);
        services.AddSingleton(store);
        services.AddSingleton<IKeyStore>(store);
        services.AddSingleton<ISpendStore>(store);
        services.AddSingleton<IOrganizationStore>(store);
        services.AddSingleton<ICustomerStore>(store);
        services.AddSingleton<ISharedBudgetStore>(store);
        services.AddHostedService(sp => new SchemaInitializer(store));
        if (options.RedisConfiguration is { } redis)
        {
            // One connection with the router when they use the same Redis; fail-fast either way (RedisConnections).
            services.AddSingleton(sp =>
            {
                var runtime = sp.GetRequiredService<LiteLlmRuntime>();
                var shared = runtime.Config.Router.RedisConfiguration == redis ? runtime.Redis : null;
                return new RedisLink(
                    shared ?? RedisConnections.Connect(redis),
                    options.RedisKeyPrefix,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<RedisLink>>(),
                    ownsConnection: shared is null);
            });
        }

        services.AddSingleton(sp => new KeyBudgets(sp.GetRequiredService<ISpendStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KeyBudgets>>(), sp.GetService<RedisLink>()));
        services.AddSingleton(sp => new RateLimits(options.RateLimitWindow, sp.GetService<RedisLink>()));
        services.AddSingleton(sp =>
        {
            // Unless the host says otherwise, a request is estimated at the dearest deployment of its group, every
            // estimated token (prompt + max output) priced at input + output price: an upper bound.
            options.CostEstimator ??= EstimateFrom(sp.GetRequiredService<LiteLlmRuntime>());
            options.ModelAccess ??= (models, model) => sp.GetRequiredService<LiteLlmRuntime>().Router.IsModelAllowed(models, model);
            return new KeyGate(
                sp.GetRequiredService<IKeyStore>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<KeyBudgets>(),
                sp.GetRequiredService<RateLimits>(),
                sp.GetRequiredService<ILogger<KeyGate>>(),
                store,
                store,
                store);
        });
        services.AddSingleton<IRequestGate>(sp => sp.GetRequiredService<KeyGate>());
        services.AddSingleton(sp => new SoftBudgetAlerts(
            SoftBudgetAlerts.WebhookFrom(sp.GetRequiredService<LiteLlmRuntime>().Config.General.Other),
            sp,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SoftBudgetAlerts>>()));
        services.AddHostedService(sp => sp.GetRequiredService<SoftBudgetAlerts>());
        services.AddSingleton<SpendWriter>();
        services.AddSingleton<ISpendSink>(sp => sp.GetRequiredService<SpendWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<SpendWriter>());
        services.AddSingleton<IReadinessCheck>(new DatabaseReadiness(store));
        if (options.RedisConfiguration is not null)
        {
            services.AddSingleton<IReadinessCheck>(sp => new RedisReadiness(sp.GetRequiredService<RedisLink>()));
        }

        return services;
    }

    /// <summary>Reads the auth options from the config's general_settings.</summary>
    public static GatewayAuthOptions FromConfig(LiteLlmConfig config) => new()
    {
        MasterKey = config?.General.MasterKey,
        DatabaseUrl = config?.General.DatabaseUrl,
        SqlitePath = config?.General.Other.TryGetValue("sqlite_path", out var path) == true && path is string p ? p : "litellm-gateway.db",
        RedisConfiguration = config?.Router.RedisConfiguration ?? config?.Litellm.CacheParams?.RedisConfiguration,
    };

    private static Func<string, int, decimal> EstimateFrom(LiteLlmRuntime runtime) => (group, tokens) =>
    {
        if (!runtime.Router.HasModelGroup(group))
        {
            return 0m;
        }

        var price = runtime.Router.DeploymentsOf(group).Max(d => d.CostPerToken ?? 0m);
        return price * tokens;
    };

    private sealed class SchemaInitializer(SqlGatewayStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class RedisReadiness(RedisLink redis) : IReadinessCheck
    {
        public string Name => "redis";

        public async Task<bool> CheckAsync(CancellationToken cancellationToken)
        {
            try
            {
                await redis.Connection.GetDatabase().PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                return false;
            }
        }
    }

    private sealed class DatabaseReadiness(SqlGatewayStore store) : IReadinessCheck
    {
        public string Name => "db";

        public Task<bool> CheckAsync(CancellationToken cancellationToken) => store.CheckDatabaseAsync(cancellationToken);
    }
}
