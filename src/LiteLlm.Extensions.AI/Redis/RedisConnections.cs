using StackExchange.Redis;

namespace LiteLlm.Redis;

/// <summary>Opens the Redis connections LiteLlm shares state through.</summary>
internal static class RedisConnections
{
    /// <summary>
    /// Connects without waiting for the server (it may come later) and with fail-fast commands: while Redis is
    /// unreachable a command fails at once (callers fall back to local state) instead of queueing for its timeout.
    /// </summary>
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
