using System.Globalization;
using StackExchange.Redis;

namespace LiteLlm.Cost;

/// <summary>
/// Budget counters in Redis, shared by every instance that uses the same server and key prefix. Each counter is a hash
/// (<c>spend</c>, <c>reserved</c>) of integer nano-USD; check-and-reserve across all of a request's counters is one Lua
/// script, so concurrent requests on any number of instances cannot both take the last of a budget. Windowed counters
/// expire at the end of their window.
/// </summary>
/// <remarks>
/// The default prefix carries a Redis Cluster hash tag (<c>{litellm-budget}</c>) so that a request's counters share a
/// slot, as a multi-key script requires. Amounts are exact to 1e-9 USD up to about 9 million USD per counter (the range
/// of Lua's doubles).
/// </remarks>
public sealed class RedisBudgetStore : IBudgetStore
{
    private const decimal UnitsPerUsd = 1_000_000_000m;

    // KEYS: counters. ARGV[1]: amount; then per counter: limit, ttl in ms (0 = none), initial spend, 1 when the counter
    // admits while below its limit whatever the amount (BudgetCounter.AdmitWhileBelowLimit), else 0.
    // A counter that does not exist starts from its initial spend (and gets its expiry at once, even when refused).
    private const string ReserveScript = """
        local amount = tonumber(ARGV[1])
        for i, key in ipairs(KEYS) do
          local limit = tonumber(ARGV[4 * i - 2])
          if redis.call('HSETNX', key, 'spend', ARGV[4 * i]) == 1 then
            local ttl = tonumber(ARGV[4 * i - 1])
            if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
          end
          local v = redis.call('HMGET', key, 'spend', 'reserved')
          local spend = tonumber(v[1]) or 0
          local reserved = tonumber(v[2]) or 0
          if spend + reserved >= limit or (ARGV[4 * i + 1] ~= '1' and spend + reserved + amount > limit) then
            return {i, tostring(spend), tostring(reserved)}
          end
        end
        for i, key in ipairs(KEYS) do
          redis.call('HINCRBY', key, 'reserved', ARGV[1])
          local ttl = tonumber(ARGV[4 * i - 1])
          if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
        end
        return {0}
        """;

    // KEYS: counters. ARGV[1]: minus the reservation; ARGV[2]: the actual cost. Expired counters are not recreated.
    private const string SettleScript = """
        for _, key in ipairs(KEYS) do
          if redis.call('EXISTS', key) == 1 then
            redis.call('HINCRBY', key, 'reserved', ARGV[1])
            redis.call('HINCRBY', key, 'spend', ARGV[2])
          end
        end
        return 1
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;

    /// <summary>Initializes a store over <paramref name="redis"/>; instances sharing <paramref name="keyPrefix"/> share budgets.</summary>
    public RedisBudgetStore(IConnectionMultiplexer redis, string keyPrefix = "{litellm-budget}:")
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _redis = redis;
        _prefix = keyPrefix;
    }

    /// <inheritdoc />
    public async ValueTask<BudgetRefusal?> TryReserveAsync(IReadOnlyList<BudgetCounter> counters, decimal amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var keys = new RedisKey[counters.Count];
        var args = new RedisValue[1 + (4 * counters.Count)];
        args[0] = Units(amount, MidpointRounding.ToPositiveInfinity);
        for (var i = 0; i < counters.Count; i++)
        {
            keys[i] = _prefix + counters[i].Key;
            args[1 + (4 * i)] = Units(counters[i].Limit, MidpointRounding.ToNegativeInfinity);
            args[2 + (4 * i)] = counters[i].ExpiresAt is { } end ? Math.Max(1L, (long)Math.Ceiling((end - now).TotalMilliseconds)) : 0L;
            args[3 + (4 * i)] = Units(counters[i].InitialSpend, MidpointRounding.AwayFromZero);
            args[4 + (4 * i)] = counters[i].AdmitWhileBelowLimit ? 1 : 0;
        }

        var result = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, keys, args).ConfigureAwait(false))!;
        var index = (int)result[0];
        return index == 0 ? null : new BudgetRefusal(index - 1, Usd((string)result[1]!), Usd((string)result[2]!));
    }

    /// <inheritdoc />
    public async ValueTask SettleAsync(IReadOnlyList<BudgetCounter> counters, decimal reserved, decimal actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var keys = counters.Select(c => (RedisKey)(_prefix + c.Key)).ToArray();
        RedisValue[] args = [-Units(reserved, MidpointRounding.ToPositiveInfinity), Units(actual, MidpointRounding.AwayFromZero)];
        await _redis.GetDatabase().ScriptEvaluateAsync(SettleScript, keys, args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<(decimal Spend, decimal Reserved)> GetAsync(BudgetCounter counter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var values = await _redis.GetDatabase().HashGetAsync(_prefix + counter.Key, ["spend", "reserved"]).ConfigureAwait(false);
        return (values[0].IsNull ? 0 : Usd((string)values[0]!), values[1].IsNull ? 0 : Usd((string)values[1]!));
    }

    private static long Units(decimal usd, MidpointRounding rounding) => (long)decimal.Round(usd * UnitsPerUsd, 0, rounding);

    private static decimal Usd(string units) => decimal.Parse(units, NumberStyles.Float, CultureInfo.InvariantCulture) / UnitsPerUsd;
}
