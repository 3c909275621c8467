using StackExchange.Redis;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// The gateway's connection to the Redis its replicas share, with a breaker: after a failure the gate works on this
/// process's own counters for <see cref="RetryAfter"/> before it tries Redis again, so an outage costs one failed
/// call per interval instead of a timeout per request. Going down is logged as a warning, coming back as information.
/// </summary>
internal sealed partial class RedisLink(IConnectionMultiplexer redis, string prefix, TimeProvider time, ILogger<RedisLink> logger)
{
    /// <summary>How long the gate stays on local state after a Redis failure before it tries again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private long _downUntil;
    private int _down;

    public IConnectionMultiplexer Connection => redis;

    /// <summary>Gets the prefix of every key this gateway writes (replicas that share it share limits and budgets).</summary>
    public string Prefix => prefix;

    /// <summary>Gets a value indicating whether Redis should be tried now (up, or down long enough to probe again).</summary>
    public bool Available => Volatile.Read(ref _down) == 0 || time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _downUntil);

    /// <summary>Gets whether <paramref name="e"/> is Redis being unreachable (as opposed to a bug).</summary>
    public static bool IsOutage(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    public void Failed(Exception e, string what)
    {
        Interlocked.Exchange(ref _downUntil, (time.GetUtcNow() + RetryAfter).UtcTicks);
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogDown(logger, what, e.GetType().Name);
        }
    }

    public void Succeeded()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            LogUp(logger);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Redis unreachable while {What} ({Error}): rate limits and budgets fall back to this process's own counters until it returns.")]
    private static partial void LogDown(ILogger logger, string what, string error);

    [LoggerMessage(2, LogLevel.Information, "Redis reachable again: rate limits and budgets are shared across replicas again.")]
    private static partial void LogUp(ILogger logger);
}
