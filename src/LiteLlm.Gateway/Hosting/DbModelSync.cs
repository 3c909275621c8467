using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Storage;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// Whether deployments live in the database (LiteLLM's <c>general_settings.store_model_in_db</c> or the
/// <c>STORE_MODEL_IN_DB</c> environment variable) and how often replicas look for changes.
/// </summary>
internal sealed record DbModelSettings(bool Enabled, TimeSpan PollInterval)
{
    /// <summary>The poll interval when <c>general_settings.model_sync_interval</c> (seconds, ours) is not set.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    public static DbModelSettings From(LiteLlmConfig config, Func<string, string?> environment)
    {
        var other = config.General.Other;
        var enabled = IsTrue(other.GetValueOrDefault("store_model_in_db")) || IsTrue(environment("STORE_MODEL_IN_DB"));
        var interval = other.GetValueOrDefault("model_sync_interval") is { } v
            && double.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultPollInterval;
        return new DbModelSettings(enabled, interval);
    }

    private static bool IsTrue(object? value) => value switch
    {
        bool b => b,
        string s => s.Equals("true", StringComparison.OrdinalIgnoreCase) || s is "1" or "yes" or "on",
        _ => false,
    };
}

/// <summary>
/// Keeps this replica's router in step with the deployments in the database: loads them at start, then re-reads them
/// when the change counter moves — checked every <see cref="DbModelSettings.PollInterval"/>, and at once when another
/// replica announces a change on Redis (<c>{prefix}:model-changes</c>). A stored entry that cannot be opened (another
/// salt key) or built is logged by id and left out; the others are served.
/// </summary>
internal sealed partial class DbModelSync(
    IModelStore store,
    ModelSecrets secrets,
    DbModelRuntime models,
    IServiceProvider services,
    DbModelSettings settings,
    ILogger<DbModelSync> logger) : BackgroundService
{
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _applied = -1;
    private ChannelMessageQueue? _subscription;

    private LiteLlmRuntime Runtime => services.GetRequiredService<LiteLlmRuntime>();

    private RedisLink? Redis => services.GetService<RedisLink>();

    private RedisChannel Channel => RedisChannel.Literal((Redis?.Prefix ?? "litellm-gw") + ":model-changes");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SyncAsync(force: true, cancellationToken).ConfigureAwait(false); // the first request already sees them
        }
        catch (DbException e)
        {
            LogSyncFailed(logger, e.GetType().Name);
        }

        if (Redis is { } redis)
        {
            try
            {
                _subscription = await redis.Connection.GetSubscriber().SubscribeAsync(Channel).ConfigureAwait(false);
                _subscription.OnMessage(_ => Wake());
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                LogRedisUnavailable(logger); // polling still finds every change
            }
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is { } subscription)
        {
            await subscription.UnsubscribeAsync().ConfigureAwait(false);
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a write on this replica: serve the change here now and tell the other replicas.</summary>
    public async Task ChangedAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(force: true, cancellationToken).ConfigureAwait(false);
        if (Redis is { Available: true } redis)
        {
            try
            {
                await redis.Connection.GetSubscriber().PublishAsync(Channel, "changed").ConfigureAwait(false);
                redis.Succeeded();
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "announcing a model change"); // the others find it at their next poll
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(settings.PollInterval, stoppingToken).ConfigureAwait(false);
                await SyncAsync(force: false, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // The database is away (or a row is odd): keep serving what we have; never stop the host over it.
                LogSyncFailed(logger, e.GetType().Name);
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken.
            }
        }
    }

    /// <summary>Re-reads every stored deployment when the change counter moved (always when <paramref name="force"/>).</summary>
    private async Task SyncAsync(bool force, CancellationToken cancellationToken)
    {
        await _syncing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = await store.GetModelsVersionAsync(cancellationToken).ConfigureAwait(false);
            if (!force && version == Volatile.Read(ref _applied))
            {
                return;
            }

            var rows = await store.ListModelsAsync(cancellationToken).ConfigureAwait(false);
            var built = new List<BuiltModel>(rows.Count);
            var runtime = Runtime;
            foreach (var row in rows)
            {
                if (Open(row) is not { } litellmParams)
                {
                    LogUnreadable(logger, row.ModelId);
                    continue;
                }

                var (model, _, param) = DbModelRuntime.Build(runtime, row.ModelId, row.ModelName, litellmParams, ParseObject(row.ModelInfo));
                if (model is null)
                {
                    LogUnbuildable(logger, row.ModelId, param ?? "litellm_params");
                    continue;
                }

                built.Add(model);
            }

            if (built.Count == 0 && models.Models.Count == 0)
            {
                Volatile.Write(ref _applied, version); // nothing stored, nothing served: keep the router (and its state) as it is
                return;
            }

            foreach (var id in models.Apply(runtime, built))
            {
                LogUnbuildable(logger, id, "litellm_params");
            }

            Volatile.Write(ref _applied, version);
        }
        finally
        {
            _syncing.Release();
        }
    }

    /// <summary>Opens a row's sealed <c>litellm_params</c>; null when it was sealed under another key or is damaged.</summary>
    public JsonObject? Open(StoredModelRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return secrets.Open(row.ModelId, row.LitellmParams) is { } clear ? ParseObject(clear) : null;
    }

    public static JsonObject? ParseObject(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override void Dispose()
    {
        _syncing.Dispose();
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(1, LogLevel.Warning, "Reading the models stored in the database failed ({Error}); serving the ones loaded before.")]
    private static partial void LogSyncFailed(ILogger logger, string error);

    [LoggerMessage(2, LogLevel.Warning, "The stored model {ModelId} could not be decrypted (was LITELLM_SALT_KEY or the master key changed?); it is not served.")]
    private static partial void LogUnreadable(ILogger logger, string modelId);

    [LoggerMessage(3, LogLevel.Warning, "The stored model {ModelId} does not build ({Field} is invalid); it is not served, the others are.")]
    private static partial void LogUnbuildable(ILogger logger, string modelId, string field);

    [LoggerMessage(4, LogLevel.Information, "Redis is unreachable: model changes reach this replica by polling the database only.")]
    private static partial void LogRedisUnavailable(ILogger logger);
}

/// <summary>Registers models in the database: the router hook, the sealer and the sync service.</summary>
internal static class DbModelServiceCollectionExtensions
{
    /// <summary>
    /// With a master key (so a database): registers <see cref="DbModelSettings"/>; when <c>store_model_in_db</c> is on,
    /// also the router hook (before the pipeline is registered, so it must run before <c>AddLiteLlmGateway</c>) and the sync.
    /// </summary>
    public static IServiceCollection AddDatabaseModels(this IServiceCollection services, GatewayOptions options, LiteLlmConfig config)
    {
        if (string.IsNullOrEmpty(config.General.MasterKey))
        {
            return services;
        }

        string? Environment(string name) => config.EnvironmentVariables.TryGetValue(name, out var v) ? v : System.Environment.GetEnvironmentVariable(name);
        var settings = DbModelSettings.From(config, Environment);
        services.AddSingleton(settings);
        if (!settings.Enabled)
        {
            return services;
        }

        var runtime = new DbModelRuntime();
        runtime.Hook(options);
        services.AddSingleton(runtime);
        services.AddSingleton(ModelSecrets.From(Environment, config.General.MasterKey)!);
        services.AddSingleton(sp => new DbModelSync(
            sp.GetRequiredService<SqlGatewayStore>(),
            sp.GetRequiredService<ModelSecrets>(),
            runtime,
            sp,
            settings,
            sp.GetRequiredService<ILogger<DbModelSync>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DbModelSync>());
        return services;
    }
}
