using StackExchange.Redis;

namespace LiteLlm.Redis;

/// <summary>
/// Opens the Redis connections LiteLlm shares state through. Public so that a host connecting to its own Redis (the
/// gateway's limits and budgets, when they use another server than the router's) gets the same fail-fast behaviour.
/// </summary>
public static class RedisConnections
{
    /// <summary>
    /// Connects without waiting for the server (it may come later) and with fail-fast commands: while Redis is
    /// unreachable a command fails at once (callers fall back to local state) instead of queueing for its timeout.
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string (<c>host:port,password=…</c>).</param>
    /// <returns>The connection; the caller owns it.</returns>
    public static ConnectionMultiplexer Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        return ConnectionMultiplexer.Connect(options);
    }
}
