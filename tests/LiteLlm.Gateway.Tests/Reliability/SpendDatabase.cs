using LiteLlm.Gateway.Tests.Auth;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>One row of <c>litellm_spend_logs</c> as the gateway wrote it.</summary>
public sealed record SpendRow(string RequestId, string Status, long EndTimeMs);

/// <summary>
/// The database a gateway process writes keys and spend to, read directly (not through the gateway): a SQLite file in a
/// temporary directory, or a throw-away PostgreSQL database (skips when none answers).
/// </summary>
public sealed class SpendDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;
    private readonly PostgresDatabase? _postgres;

    private SpendDatabase(string kind, string? sqliteFile, PostgresDatabase? postgres)
    {
        Kind = kind;
        _sqliteFile = sqliteFile;
        _postgres = postgres;
    }

    public string Kind { get; }

    /// <summary>The <c>general_settings</c> line that points a gateway at this database.</summary>
    public string GeneralSettingsLine => _postgres is null
        ? $"sqlite_path: \"{_sqliteFile}\""
        : $"database_url: postgresql://litellm:litellm@127.0.0.1:5432/{_postgres.Name}";

    public static async Task<SpendDatabase> CreateOrSkipAsync(string kind, string directory) => kind switch
    {
        "sqlite" => new SpendDatabase(kind, Path.Combine(directory, "gateway.db"), null),
        "postgres" => new SpendDatabase(kind, null, await PostgresDatabase.CreateOrSkipAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "sqlite or postgres"),
    };

    public async Task<List<SpendRow>> ReadSpendAsync()
    {
        const string Sql = "SELECT request_id, status, end_time FROM litellm_spend_logs ORDER BY end_time, request_id;";
        var rows = new List<SpendRow>();
        if (_postgres is null)
        {
            // No pooling: nothing of ours holds the file open when the next gateway starts on it.
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _sqliteFile, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new SqliteCommand(Sql, connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add(new SpendRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }
        else
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port=5432;Username=litellm;Password=litellm;Database={_postgres.Name};Timeout=5;Pooling=false");
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand(Sql, connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add(new SpendRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        return rows;
    }

    /// <summary>Polls (up to <paramref name="timeout"/>) until <paramref name="requestId"/> has a spend row; spend is written off the request path.</summary>
    public async Task<bool> WaitForRowAsync(string requestId, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if ((await ReadSpendAsync()).Exists(r => r.RequestId == requestId))
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
