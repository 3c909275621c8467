using StackExchange.Redis;

namespace LiteLlm.Redis;

/// <summary>
/// Whether shared state in Redis should be used right now. After a failure callers work on their own process's state
/// for <see cref="RetryInterval"/> before they try Redis again, so an outage costs one failed call per interval instead
/// of a timeout per request. <see cref="Failed"/> and <see cref="Succeeded"/> say when the state changed, so the
/// caller logs each outage and recovery once. Public so that a host sharing its own state through Redis (the gateway's
/// rate limits and budgets) falls back the same way the library's router and budget stores do.
/// </summary>
/// <param name="time">The clock the retry interval is measured on.</param>
public sealed class RedisBreaker(TimeProvider time)
{
    /// <summary>How long callers stay on local state after a Redis failure before they try again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private long _downUntil;
    private int _down;

    /// <summary>Gets a value indicating whether Redis should be tried now (up, or down long enough to probe again).</summary>
    public bool Available => Volatile.Read(ref _down) == 0 || time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _downUntil);

    /// <summary>Gets whether <paramref name="e"/> is Redis being unreachable (as opposed to a bug).</summary>
    public static bool IsOutage(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Records a failure; returns true when Redis was up until now.</summary>
    public bool Failed()
    {
        Interlocked.Exchange(ref _downUntil, (time.GetUtcNow() + RetryInterval).UtcTicks);
        return Interlocked.Exchange(ref _down, 1) == 0;
    }

    /// <summary>Records a success; returns true when Redis was down until now.</summary>
    public bool Succeeded() => Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1;
}
