using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// Per-key request (rpm) and token (tpm) limits in fixed windows. With Redis they are shared by every replica: a
/// request takes its slot with one atomic script, and a finished call adds its tokens to the window's counter. When
/// Redis is unreachable (or not configured) this process's own counters apply, and sharing resumes when it returns.
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

    private readonly ConcurrentDictionary<string, Window> _local = new(StringComparer.Ordinal);

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
}
