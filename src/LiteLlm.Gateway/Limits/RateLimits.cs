using System.Collections.Concurrent;
using System.Globalization;
using LiteLlm.Gateway.Auth;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Limits;

/// <summary>
/// Per-key and per-team request (rpm) and token (tpm) limits in fixed windows, and parallel-request limits. With Redis
/// they are shared by every replica: a request takes its slot with one atomic script, and a finished call adds its
/// tokens to the window's counter. When Redis is unreachable (or not configured) this process's own counters apply,
/// and sharing resumes when it returns.
/// </summary>
/// <remarks>
/// Tokens are counted when a call ends (its actual usage), and a key is refused once its window's tokens reach the
/// limit, as LiteLLM does: the call that crosses the limit completes, the next is refused until the window turns.
/// </remarks>
internal sealed class RateLimits(TimeSpan window, RedisLink? redis)
{
    // INCR the window's counter; the first increment sets its expiry; over the limit it is undone (so refused requests do not count).
    private const string TakeScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
        return n
        """;

    private const string AddScript = """
        local n = redis.call('INCRBY', KEYS[1], ARGV[1])
        if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return n
        """;

    // The calls in flight are a sorted set of call ids scored by start time: a replica that dies without releasing its
    // slots does not hold them for ever, they lapse after SlotLifetime.
    private const string EnterScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    /// <summary>The longest a parallel slot is held for a call whose replica never released it (a crash).</summary>
    private static readonly TimeSpan SlotLifetime = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Window> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Takes one of <paramref name="limit"/> parallel slots of <paramref name="id"/>, or returns null when all are taken.</summary>
    public async ValueTask<ParallelSlot?> TryEnterAsync(string id, int limit, DateTimeOffset now)
    {
        if (redis is { Available: true })
        {
            var member = Guid.NewGuid().ToString("N");
            var key = (RedisKey)$"{redis.Prefix}:par:{id}";
            try
            {
                var ms = now.ToUnixTimeMilliseconds();
                var taken = (long)await redis.Connection.GetDatabase().ScriptEvaluateAsync(EnterScript, [key],
                    [limit, ms - (long)SlotLifetime.TotalMilliseconds, ms, member, (long)SlotLifetime.TotalMilliseconds]).ConfigureAwait(false);
                redis.Succeeded();
                return taken > 0 ? new ParallelSlot(key, member, null) : null;
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "counting requests in flight");
            }
        }

        var local = _inFlight.GetOrAdd(id, static _ => new InFlight());
        return local.TryEnter(limit) ? new ParallelSlot(default, null, local) : null;
    }

    /// <summary>Gives a parallel slot back; never throws (a shared slot that cannot be released lapses on its own).</summary>
    public async ValueTask ExitAsync(ParallelSlot slot)
    {
        if (slot.Local is { } local)
        {
            local.Exit();
            return;
        }

        try
        {
            await redis!.Connection.GetDatabase().SortedSetRemoveAsync(slot.Key, slot.Member).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisLink.IsOutage(e))
        {
            redis!.Failed(e, "releasing a request slot");
        }
    }

    /// <summary>Takes one request of <paramref name="limit"/> in the current window, or says when the next window opens.</summary>
    public async ValueTask<(bool Allowed, TimeSpan RetryAfter)> TryTakeRequestAsync(string keyId, long limit, DateTimeOffset now)
    {
        var (bucket, retryAfter) = Bucket(now);
        if (redis is { Available: true })
        {
            try
            {
                var n = (long)await redis.Connection.GetDatabase().ScriptEvaluateAsync(TakeScript, [RedisKeyOf("rpm", keyId, bucket)], [limit, Expiry]).ConfigureAwait(false);
                redis.Succeeded();
                return (n > 0, retryAfter);
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "counting requests");
            }
        }

        return (LocalOf("rpm:" + keyId).TryAdd(bucket, 1, limit), retryAfter);
    }

    /// <summary>Refuses when the key's tokens in the current window have reached <paramref name="limit"/>.</summary>
    public async ValueTask<(bool Allowed, TimeSpan RetryAfter)> CheckTokensAsync(string keyId, long limit, DateTimeOffset now)
    {
        var (bucket, retryAfter) = Bucket(now);
        if (redis is { Available: true })
        {
            try
            {
                var used = await redis.Connection.GetDatabase().StringGetAsync(RedisKeyOf("tpm", keyId, bucket)).ConfigureAwait(false);
                redis.Succeeded();
                return ((used.TryParse(out long n) ? n : 0) < limit, retryAfter);
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "reading token counts");
            }
        }

        return (LocalOf("tpm:" + keyId).Count(bucket) < limit, retryAfter);
    }

    /// <summary>Adds a finished call's tokens to the key's current window.</summary>
    public async ValueTask AddTokensAsync(string keyId, long tokens, DateTimeOffset now)
    {
        if (tokens <= 0)
        {
            return;
        }

        var (bucket, _) = Bucket(now);
        if (redis is { Available: true })
        {
            try
            {
                await redis.Connection.GetDatabase().ScriptEvaluateAsync(AddScript, [RedisKeyOf("tpm", keyId, bucket)], [tokens, Expiry]).ConfigureAwait(false);
                redis.Succeeded();
                return;
            }
            catch (Exception e) when (RedisLink.IsOutage(e))
            {
                redis.Failed(e, "counting tokens");
            }
        }

        LocalOf("tpm:" + keyId).TryAdd(bucket, tokens, long.MaxValue);
    }

    private long Expiry => (long)window.TotalMilliseconds + 1000;

    private (long Bucket, TimeSpan RetryAfter) Bucket(DateTimeOffset now)
    {
        var bucket = now.UtcTicks / window.Ticks;
        return (bucket, TimeSpan.FromTicks(((bucket + 1) * window.Ticks) - now.UtcTicks));
    }

    private RedisKey RedisKeyOf(string kind, string keyId, long bucket)
        => $"{redis!.Prefix}:{kind}:{keyId}:{bucket.ToString(CultureInfo.InvariantCulture)}";

    private Window LocalOf(string id) => _local.GetOrAdd(id, static _ => new Window());

    private sealed class Window
    {
        private readonly Lock _lock = new();
        private long _bucket;
        private long _count;

        public bool TryAdd(long bucket, long amount, long limit)
        {
            lock (_lock)
            {
                if (bucket != _bucket)
                {
                    (_bucket, _count) = (bucket, 0);
                }

                if (_count >= limit)
                {
                    return false;
                }

                _count += amount;
                return true;
            }
        }

        public long Count(long bucket)
        {
            lock (_lock)
            {
                return bucket == _bucket ? _count : 0;
            }
        }
    }

    /// <summary>This process's count of calls in flight for one key or team.</summary>
    internal sealed class InFlight
    {
        private int _count;

        public bool TryEnter(int limit)
        {
            if (Interlocked.Increment(ref _count) <= limit)
            {
                return true;
            }

            Interlocked.Decrement(ref _count);
            return false;
        }

        public void Exit() => Interlocked.Decrement(ref _count);
    }
}

/// <summary>A held parallel slot: a member of the shared sorted set, or this process's counter.</summary>
internal sealed record ParallelSlot(RedisKey Key, string? Member, RateLimits.InFlight? Local);
