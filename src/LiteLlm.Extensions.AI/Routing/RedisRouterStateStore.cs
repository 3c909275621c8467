using LiteLlm.Redis;
using System.Globalization;
using LiteLlm.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LiteLlm.Routing;

/// <summary>
/// Router state in Redis, so that several gateway replicas agree on cooldowns and usage. Reads are
/// one <c>MGET</c> per routing decision; counters expire on their own.
/// </summary>
/// <remarks>
/// While Redis is unreachable the router keeps routing on this process's own state (an <see cref="InMemoryRouterStateStore"/>),
/// with one warning; after a failure Redis is tried again every 2 s, and sharing resumes when it answers.
/// </remarks>
public sealed partial class RedisRouterStateStore : IRouterStateStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly InMemoryRouterStateStore _local = new();
    private readonly RedisBreaker _breaker;

    /// <summary>Initializes a new instance of the <see cref="RedisRouterStateStore"/> class.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="keyPrefix">A prefix for every key (one per router / environment).</param>
    /// <param name="timeProvider">The clock cooldown expiries are computed with (the router's).</param>
    /// <param name="logger">Where an outage and the recovery are logged.</param>
    public RedisRouterStateStore(IConnectionMultiplexer redis, string keyPrefix = "litellm:router", TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _prefix = keyPrefix;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _breaker = new RedisBreaker(_time);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeploymentUsage>> GetAsync(IReadOnlyList<string> deploymentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentIds);
        if (_breaker.Available)
        {
            try
            {
                var shared = await SharedGetAsync(deploymentIds, now).ConfigureAwait(false);
                Succeeded();
                return shared;
            }
            catch (Exception e) when (RedisBreaker.IsOutage(e))
            {
                Failed(e);
            }
        }

        return await _local.GetAsync(deploymentIds, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask AddUsageAsync(string deploymentId, long requests, long tokens, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_breaker.Available)
        {
            try
            {
                await SharedAddUsageAsync(deploymentId, requests, tokens, now).ConfigureAwait(false);
                Succeeded();
                return;
            }
            catch (Exception e) when (RedisBreaker.IsOutage(e))
            {
                Failed(e);
            }
        }

        await _local.AddUsageAsync(deploymentId, requests, tokens, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<long> AddFailureAsync(string deploymentId, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_breaker.Available)
        {
            try
            {
                var count = await SharedAddFailureAsync(deploymentId, window, now).ConfigureAwait(false);
                Succeeded();
                return count;
            }
            catch (Exception e) when (RedisBreaker.IsOutage(e))
            {
                Failed(e);
            }
        }

        return await _local.AddFailureAsync(deploymentId, window, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask CoolDownAsync(string deploymentId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (_breaker.Available)
        {
            try
            {
                await SharedCoolDownAsync(deploymentId, until).ConfigureAwait(false);
                Succeeded();
                return;
            }
            catch (Exception e) when (RedisBreaker.IsOutage(e))
            {
                Failed(e);
            }
        }

        await _local.CoolDownAsync(deploymentId, until, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Fire and forget: a sample never waits for Redis; the last 128 of each deployment are kept for an hour.</remarks>
    public ValueTask AddLatencySampleAsync(string deploymentId, bool streaming, double milliseconds, CancellationToken cancellationToken)
    {
        if (_breaker.Available)
        {
            var db = _redis.GetDatabase();
            var key = SamplesKey(deploymentId, streaming);
            _ = db.ListLeftPushAsync(key, milliseconds, flags: CommandFlags.FireAndForget);
            _ = db.ListTrimAsync(key, 0, SampleCount - 1, CommandFlags.FireAndForget);
            _ = db.KeyExpireAsync(key, TimeSpan.FromHours(1), CommandFlags.FireAndForget);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<double>?> GetLatencySamplesAsync(IReadOnlyList<string> deploymentIds, bool streaming, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentIds);
        if (!_breaker.Available)
        {
            return null;
        }

        try
        {
            var db = _redis.GetDatabase();
            var lists = await Task.WhenAll(deploymentIds.Select(id => db.ListRangeAsync(SamplesKey(id, streaming), 0, SampleCount - 1))).ConfigureAwait(false);
            Succeeded();
            var result = new List<double>(lists.Sum(l => l.Length));
            foreach (var value in lists.SelectMany(l => l))
            {
                if (value.TryParse(out double ms))
                {
                    result.Add(ms);
                }
            }

            return result;
        }
        catch (Exception e) when (RedisBreaker.IsOutage(e))
        {
            Failed(e);
            return null;
        }
    }

    private const int SampleCount = 128;

    private RedisKey SamplesKey(string id, bool streaming) => $"{_prefix}:samples:{id}:{(streaming ? "ttft" : "latency")}";

    private void Failed(Exception e)
    {
        if (_breaker.Failed())
        {
            LogDown(_logger, e.GetType().Name);
        }
    }

    private void Succeeded()
    {
        if (_breaker.Succeeded())
        {
            LogUp(_logger);
        }
    }

    private async ValueTask<IReadOnlyList<DeploymentUsage>> SharedGetAsync(IReadOnlyList<string> deploymentIds, DateTimeOffset now)
    {
        var minute = InMemoryRouterStateStore.MinuteOf(now);
        var keys = new RedisKey[deploymentIds.Count * 3];
        for (var i = 0; i < deploymentIds.Count; i++)
        {
            keys[i * 3] = RequestsKey(deploymentIds[i], minute);
            keys[(i * 3) + 1] = TokensKey(deploymentIds[i], minute);
            keys[(i * 3) + 2] = CooldownKey(deploymentIds[i]);
        }

        var values = await _redis.GetDatabase().StringGetAsync(keys).ConfigureAwait(false);
        var result = new DeploymentUsage[deploymentIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            DateTimeOffset? until = values[(i * 3) + 2].TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            result[i] = new DeploymentUsage(
                values[i * 3].TryParse(out long requests) ? requests : 0,
                values[(i * 3) + 1].TryParse(out long tokens) ? tokens : 0,
                until > now ? until : null);
        }

        return result;
    }

    private async Task SharedAddUsageAsync(string deploymentId, long requests, long tokens, DateTimeOffset now)
    {
        var minute = InMemoryRouterStateStore.MinuteOf(now);
        var db = _redis.GetDatabase();
        var batch = db.CreateBatch();
        var tasks = new List<Task>(4);
        if (requests != 0)
        {
            tasks.Add(batch.StringIncrementAsync(RequestsKey(deploymentId, minute), requests));
            tasks.Add(batch.KeyExpireAsync(RequestsKey(deploymentId, minute), TimeSpan.FromMinutes(2)));
        }

        if (tokens != 0)
        {
            tasks.Add(batch.StringIncrementAsync(TokensKey(deploymentId, minute), tokens));
            tasks.Add(batch.KeyExpireAsync(TokensKey(deploymentId, minute), TimeSpan.FromMinutes(2)));
        }

        batch.Execute();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<long> SharedAddFailureAsync(string deploymentId, TimeSpan window, DateTimeOffset now)
    {
        var bucket = now.UtcTicks / Math.Max(1, window.Ticks);
        RedisKey key = $"{_prefix}:fails:{deploymentId}:{bucket.ToString(CultureInfo.InvariantCulture)}";
        var db = _redis.GetDatabase();
        var count = await db.StringIncrementAsync(key).ConfigureAwait(false);
        await db.KeyExpireAsync(key, window + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return count;
    }

    private async Task SharedCoolDownAsync(string deploymentId, DateTimeOffset until)
    {
        var ttl = until - _time.GetUtcNow();
        await _redis.GetDatabase().StringSetAsync(
            CooldownKey(deploymentId),
            until.ToUnixTimeMilliseconds(),
            ttl > TimeSpan.Zero ? ttl + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1)).ConfigureAwait(false);
    }

    private RedisKey RequestsKey(string id, long minute) => $"{_prefix}:rpm:{id}:{minute.ToString(CultureInfo.InvariantCulture)}";

    private RedisKey TokensKey(string id, long minute) => $"{_prefix}:tpm:{id}:{minute.ToString(CultureInfo.InvariantCulture)}";

    private RedisKey CooldownKey(string id) => $"{_prefix}:cooldown:{id}";

    [LoggerMessage(1, LogLevel.Warning, "Redis unreachable ({Error}): the router keeps routing on this process's own cooldowns and usage until it returns.")]
    private static partial void LogDown(ILogger logger, string error);

    [LoggerMessage(2, LogLevel.Information, "Redis reachable again: router state is shared across replicas again.")]
    private static partial void LogUp(ILogger logger);
}
