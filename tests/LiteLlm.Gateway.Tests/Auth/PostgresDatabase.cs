using Npgsql;

namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>A throw-away database on the real PostgreSQL that eng/services.sh starts; the test skips when none answers.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private static readonly string Admin = Environment.GetEnvironmentVariable("LITELLM_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=litellm;Password=litellm;Database=litellm_test;Timeout=3";

    private PostgresDatabase(string name) => Name = name;

    public string Name { get; }

    /// <summary>Gets the <c>general_settings</c> line that points a gateway at this database.</summary>
    public string Storage => $"database_url: postgresql://litellm:litellm@127.0.0.1:5432/{Name}";

    public static async Task<PostgresDatabase> CreateOrSkipAsync()
    {
        var name = "litellm_gw_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(Admin);
        try
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Assert.Skip("Needs PostgreSQL at 127.0.0.1:5432 (run eng/services.sh); none answered.");
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return new PostgresDatabase(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
