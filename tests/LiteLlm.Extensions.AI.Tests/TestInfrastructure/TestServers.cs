using StackExchange.Redis;

namespace LiteLlm.Tests.TestInfrastructure;

/// <summary>
/// The real servers some tests need (started by eng/services.sh, which .ci/run calls). A test that
/// needs one skips with a clear message when it is not running.
/// </summary>
public static class TestServers
{
    private static readonly Lazy<string?> Redis = new(() =>
    {
        var configuration = Environment.GetEnvironmentVariable("LITELLM_TEST_REDIS") ?? "127.0.0.1:6379";
        try
        {
            using var connection = ConnectionMultiplexer.Connect(configuration + ",connectTimeout=1000,abortConnect=true");
            connection.GetDatabase().Ping();
            return configuration;
        }
        catch (RedisConnectionException)
        {
            return null;
        }
    });

    /// <summary>Gets the Redis configuration string, or skips the test when no Redis server answers.</summary>
    public static string RedisOrSkip()
    {
        if (Redis.Value is null)
        {
            Assert.Skip("Needs a Redis server at LITELLM_TEST_REDIS or 127.0.0.1:6379 (run eng/services.sh); none answered.");
        }

        return Redis.Value!;
    }

    /// <summary>Gets a PostgreSQL connection string for the test database (eng/services.sh creates it).</summary>
    public static string PostgresConnectionString
        => Environment.GetEnvironmentVariable("LITELLM_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=litellm;Password=litellm;Database=litellm_test";
}
