using LiteLlm.Redis;
using StackExchange.Redis;

namespace LiteLlm.Gateway.Auth;

/// <summary>
/// The gateway's connection to the Redis its replicas share, behind a <see cref="RedisBreaker"/>: while Redis is
/// unreachable the gate works on this process's own counters. Going down is logged as a warning, coming back as information.
/// </summary>
internal sealed partial class RedisLink(IConnectionMultiplexer redis, string prefix, TimeProvider time, ILogger<RedisLink> logger, bool ownsConnection) : IDisposable
{
    private readonly RedisBreaker _breaker = new(time);

    public IConnectionMultiplexer Connection => redis;

    /// <summary>Gets the prefix of every key this gateway writes (replicas that share it share limits and budgets).</summary>
    public string Prefix => prefix;

    /// <summary>Gets a value indicating whether Redis should be tried now (up, or down long enough to probe again).</summary>
    public bool Available => _breaker.Available;

    /// <summary>Gets whether <paramref name="e"/> is Redis being unreachable (as opposed to a bug).</summary>
    public static bool IsOutage(Exception e) => RedisBreaker.IsOutage(e);

    public void Failed(Exception e, string what)
    {
        if (_breaker.Failed())
        {
            LogDown(logger, what, e.GetType().Name);
        }
    }

    public void Succeeded()
    {
        if (_breaker.Succeeded())
        {
            LogUp(logger);
        }
    }

    public void Dispose()
    {
        if (ownsConnection)
        {
            redis.Dispose();
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Redis unreachable while {What} ({Error}): rate limits and budgets fall back to this process's own counters until it returns.")]
    private static partial void LogDown(ILogger logger, string what, string error);

    [LoggerMessage(2, LogLevel.Information, "Redis reachable again: rate limits and budgets are shared across replicas again.")]
    private static partial void LogUp(ILogger logger);
}
