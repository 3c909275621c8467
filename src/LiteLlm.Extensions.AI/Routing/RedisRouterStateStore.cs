using System.Globalization;
using StackExchange.Redis;

namespace LiteLlm.Routing;

/// <summary>
/// Router state in Redis, so that several gateway replicas agree on cooldowns and usage. Reads are
/// one <c>MGET</c> per routing decision; counters expire on their own.
/// </summary>
public sealed class RedisRouterStateStore : IRouterStateStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="RedisRouterStateStore"/> class.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="keyPrefix">A prefix for every key (one per router / environment).</param>
    /// <param name="timeProvider">The clock cooldown expiries are computed with (the router's).</param>
    public RedisRouterStateStore(IConnectionMultiplexer redis, string keyPrefix = "litellm:router", TimeProvider? timeProvider = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _prefix = keyPrefix;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DeploymentUsage>> GetAsync(IReadOnlyList<string> deploymentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentIds);
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

    /// <inheritdoc/>
    public async ValueTask AddUsageAsync(string deploymentId, long requests, long tokens, DateTimeOffset now, CancellationToken cancellationToken)
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

    /// <inheritdoc/>
    public async ValueTask<long> AddFailureAsync(string deploymentId, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var bucket = now.UtcTicks / Math.Max(1, window.Ticks);
        RedisKey key = $"{_prefix}:fails:{deploymentId}:{bucket.ToString(CultureInfo.InvariantCulture)}";
        var db = _redis.GetDatabase();
        var count = await db.StringIncrementAsync(key).ConfigureAwait(false);
        await db.KeyExpireAsync(key, window + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return count;
    }

    /// <inheritdoc/>
    public async ValueTask CoolDownAsync(string deploymentId, DateTimeOffset until, CancellationToken cancellationToken)
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
}
