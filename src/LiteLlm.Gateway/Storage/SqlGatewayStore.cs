using System.Data.Common;
using System.Globalization;
using System.Text;
using LiteLlm.Gateway.Auth;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LiteLlm.Gateway.Storage;

/// <summary>The SQL dialects the gateway stores keys and spend in.</summary>
public enum SqlDialect
{
    /// <summary>An embedded SQLite file (the default), in WAL mode.</summary>
    Sqlite,

    /// <summary>PostgreSQL (<c>general_settings.database_url</c>), shared by every replica.</summary>
    PostgreSql,
}

/// <summary>
/// Keys, users, teams and spend logs in SQLite or PostgreSQL through ADO.NET, with the few per-dialect differences
/// (column types) chosen at construction. Times are stored as Unix milliseconds (BIGINT), lists and metadata as JSON text,
/// money as double precision. <see cref="InitializeAsync"/> creates the schema and applies migrations recorded in
/// <c>litellm_schema_version</c>.
/// </summary>
public sealed partial class SqlGatewayStore : IKeyStore, ISpendStore, IAsyncDisposable
{
    /// <summary>The schema version this code writes.</summary>
    public const int SchemaVersion = 6;

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private SqlGatewayStore(SqlDialect dialect, string? sqlite, NpgsqlDataSource? postgres)
    {
        Dialect = dialect;
        _sqlite = sqlite;
        _postgres = postgres;
    }

    /// <summary>Gets the dialect.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>Creates a store over a SQLite file.</summary>
    public static SqlGatewayStore ForSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 };
        return new SqlGatewayStore(SqlDialect.Sqlite, builder.ToString(), null);
    }

    /// <summary>Creates a store over PostgreSQL from a <c>postgresql://</c> URL or an Npgsql connection string.</summary>
    public static SqlGatewayStore ForPostgres(string databaseUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseUrl);
        // The slim builder keeps Native AOT builds small: the store binds only text, integers, numbers and booleans (times are
        // Unix milliseconds, lists JSON text), which it has built in, and arrays of them (a spend batch is one row of arrays,
        // SqlGatewayStore.PostgresSpend.cs); TLS (sslmode=require in the URL) must be enabled.
        var builder = new NpgsqlSlimDataSourceBuilder(ToNpgsqlConnectionString(databaseUrl));
        builder.EnableTransportSecurity();
        builder.EnableArrays();
        return new SqlGatewayStore(SqlDialect.PostgreSql, null, builder.Build());
    }

    /// <summary>Creates the store <paramref name="options"/> asks for: PostgreSQL when <see cref="GatewayAuthOptions.DatabaseUrl"/> is set, else SQLite.</summary>
    public static SqlGatewayStore Create(GatewayAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DatabaseUrl) ? ForSqlite(options.SqlitePath) : ForPostgres(options.DatabaseUrl);
    }

    /// <summary>Turns <c>postgres[ql]://user:pass@host:port/db?sslmode=require</c> into an Npgsql connection string; passes anything else through.</summary>
    public static string ToNpgsqlConnectionString(string databaseUrl)
    {
        ArgumentNullException.ThrowIfNull(databaseUrl);
        if (!databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return databaseUrl;
        }

        var uri = new Uri(databaseUrl);
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port, Database = uri.AbsolutePath.Trim('/') };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals("sslmode", StringComparison.OrdinalIgnoreCase) && Enum.TryParse<SslMode>(kv[1], true, out var ssl))
            {
                builder.SslMode = ssl;
            }
        }

        return builder.ToString();
    }

    /// <inheritdoc />
    public async Task<bool> CheckDatabaseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await ScalarAsync(connection, null, "SELECT 1;", [], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static decimal? NullableMoney(DbDataReader r, int i) => r.IsDBNull(i) ? null : ToMoney(r.GetValue(i));

    private static decimal ToMoney(object? value) => value is null or DBNull ? 0m : Math.Round((decimal)Convert.ToDouble(value, CultureInfo.InvariantCulture), 12);

    private static double? Money(decimal? value) => value is { } v ? (double)v : null;

    private static (int Limit, int Offset) Paging(int page, int size)
    {
        size = Math.Clamp(size, 1, 1000);
        page = Math.Max(1, page);
        return (size, (int)Math.Min(int.MaxValue, (long)(page - 1) * size));
    }

    /// <summary>Opens a connection to the same database, for stores that keep their own tables here (stored responses).</summary>
    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _postgres is not null ? _postgres.CreateConnection() : new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, sql, read, cancellationToken, parameters).ConfigureAwait(false);
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string, object?)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    // Every statement is a constant of this class, with values always bound as parameters (never spliced into the text).
#pragma warning disable CA2100
    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        Bind(command.Parameters, command.CreateParameter, parameters);
        return command;
    }

    private static void Bind(DbParameterCollection target, Func<DbParameter> create, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = create();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            target.Add(parameter);
        }
    }
#pragma warning restore CA2100

    /// <summary>A WHERE clause of equality and range conditions on fixed column names, with bound values.</summary>
    private sealed class Where
    {
        private readonly StringBuilder _sql = new();

        public List<(string, object?)> Parameters { get; } = [];

        public void Add(string column, object? value) => Add(column, "=", value);

        public void Add(string column, string op, object? value)
        {
            if (value is null)
            {
                return;
            }

            var name = "p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            _sql.Append(Parameters.Count == 0 ? " WHERE " : " AND ").Append(column).Append(' ').Append(op).Append(" @").Append(name);
            Parameters.Add((name, value));
        }

        public override string ToString() => _sql.ToString();
    }
}
