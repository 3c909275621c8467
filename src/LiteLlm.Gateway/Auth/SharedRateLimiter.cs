using System.Globalization;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// Per-key request limits shared by every gateway replica through Redis: one atomic script per request increments the
/// key's counter for the current window and refuses past the limit. When Redis is unreachable the gateway keeps
/// limiting on local counters (with a warning) and shares again when it returns.
/// </summary>
internal sealed partial class SharedRateLimiter(IConnectionMultiplexer redis, string prefix, ILogger<SharedRateLimiter> logger)
{
    // INCR the window's counter; the first increment sets its expiry; over the limit it is undone (so refused requests do not count).
    private const string Script = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
        return n
        """;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Window, long Count)> _fallback = new(StringComparer.Ordinal);

    public async ValueTask<(bool Allowed, TimeSpan RetryAfter)> TryTakeAsync(string keyId, long limit, DateTimeOffset now, TimeSpan window)
    {
        var bucket = now.UtcTicks / window.Ticks;
        var retryAfter = TimeSpan.FromTicks(((bucket + 1) * window.Ticks) - now.UtcTicks);
        try
        {
            var result = (long)await redis.GetDatabase().ScriptEvaluateAsync(
                Script,
                [(RedisKey)$"{prefix}:rpm:{keyId}:{bucket.ToString(CultureInfo.InvariantCulture)}"],
                [limit, (long)window.TotalMilliseconds + 1000]).ConfigureAwait(false);
            return (result > 0, retryAfter);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisDown(logger, e.GetType().Name);
            lock (_lock)
            {
                var (w, c) = _fallback.GetValueOrDefault(keyId);
                c = w == bucket ? c : 0;
                if (c >= limit)
                {
                    return (false, retryAfter);
                }

                _fallback[keyId] = (bucket, c + 1);
                return (true, retryAfter);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Redis unreachable ({Error}): rate limits fall back to this process's counters until it returns.")]
    private static partial void LogRedisDown(ILogger logger, string error);
}
