using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;

namespace LiteLlm.Gateway.Storage;

/// <summary>A stored Responses object: who owns it, what it answered, and the link to the response it continued.</summary>
/// <param name="Id">The response id (<c>resp_…</c>).</param>
/// <param name="Owner">The hashed key that created it (null for an anonymous caller of an open gateway).</param>
/// <param name="PreviousResponseId">The response this one continued, or null.</param>
/// <param name="CreatedAt">When it was created (the retention clock).</param>
/// <param name="Response">The response object, as returned.</param>
/// <param name="InputItems">This request's own input items (a JSON array, every item with an id).</param>
/// <param name="Output">The response's output items (a JSON array).</param>
internal sealed record StoredResponse(string Id, string? Owner, string? PreviousResponseId, DateTimeOffset CreatedAt, string Response, string InputItems, string Output);

/// <summary>Where <c>POST /responses</c> keeps responses for <c>previous_response_id</c>, <c>GET</c> and <c>DELETE</c>.</summary>
internal interface IResponseStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task SaveAsync(StoredResponse response, CancellationToken cancellationToken);

    Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>The chain ending at <paramref name="id"/>, oldest first (only input items and output are filled).</summary>
    Task<IReadOnlyList<StoredResponse>> GetChainAsync(string id, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes every response created before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

/// <summary>
/// Responses in the gateway's database (<c>litellm_responses</c>), next to keys and spend: SQLite by default, PostgreSQL
/// when configured, so a chain continues on another replica and after a restart. The table is this store's own, created
/// here, so the key/spend schema's migrations stay untouched.
/// </summary>
internal sealed class SqlResponseStore(SqlGatewayStore database) : IResponseStore
{
    private const string Columns = "response_id, owner, previous_response_id, created_at, response, input_items, output";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (database.Dialect == SqlDialect.PostgreSql)
        {
            // Replicas starting together: CREATE ... IF NOT EXISTS alone can still race on PostgreSQL's catalog.
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7170718);", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"CREATE TABLE IF NOT EXISTS litellm_responses (response_id TEXT PRIMARY KEY, owner TEXT NULL, previous_response_id TEXT NULL, created_at BIGINT NOT NULL, response TEXT NOT NULL, input_items TEXT NOT NULL, output TEXT NOT NULL);", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE INDEX IF NOT EXISTS litellm_responses_created_at ON litellm_responses (created_at);", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"INSERT INTO litellm_responses ({Columns}) VALUES (@id, @owner, @previous, @created, @response, @input, @output);", cancellationToken,
            ("id", response.Id), ("owner", response.Owner), ("previous", response.PreviousResponseId), ("created", response.CreatedAt.ToUnixTimeMilliseconds()),
            ("response", response.Response), ("input", response.InputItems), ("output", response.Output)).ConfigureAwait(false);
    }

    public async Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {Columns} FROM litellm_responses WHERE response_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<StoredResponse>> GetChainAsync(string id, CancellationToken cancellationToken)
    {
        // One round trip for the whole chain (both dialects know recursive CTEs); the depth bound stops a cycle.
        const string Sql = """
            WITH RECURSIVE chain (response_id, owner, previous_response_id, created_at, response, input_items, output, depth) AS (
              SELECT response_id, owner, previous_response_id, created_at, '', input_items, output, 0 FROM litellm_responses WHERE response_id = @id
              UNION ALL
              SELECT r.response_id, r.owner, r.previous_response_id, r.created_at, '', r.input_items, r.output, c.depth + 1
              FROM litellm_responses r JOIN chain c ON r.response_id = c.previous_response_id WHERE c.depth < 10000)
            SELECT response_id, owner, previous_response_id, created_at, response, input_items, output FROM chain ORDER BY depth DESC;
            """;
        return await QueryAsync(Sql, cancellationToken, ("id", id)).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, "DELETE FROM litellm_responses WHERE response_id = @id;", cancellationToken, ("id", id)).ConfigureAwait(false) > 0;
    }

    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, "DELETE FROM litellm_responses WHERE created_at < @cutoff;", cancellationToken, ("cutoff", cutoff.ToUnixTimeMilliseconds())).ConfigureAwait(false);
    }

    private async Task<List<StoredResponse>> QueryAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<StoredResponse>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new StoredResponse(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6)));
        }

        return rows;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

/// <summary>
/// Responses in memory, for a gateway without a database (no master key): chaining works within one process and until
/// it restarts. Bounded by <paramref name="capacity"/>: the oldest responses go first.
/// </summary>
internal sealed class MemoryResponseStore(int capacity = 10_000) : IResponseStore
{
    private readonly ConcurrentDictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        _responses[response.Id] = response;
        _order.Enqueue(response.Id);
        while (_responses.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _responses.TryRemove(oldest, out _);
        }

        return Task.CompletedTask;
    }

    public Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
        => Task.FromResult(_responses.TryGetValue(id, out var r) ? r : null);

    public Task<IReadOnlyList<StoredResponse>> GetChainAsync(string id, CancellationToken cancellationToken)
    {
        var chain = new List<StoredResponse>();
        for (var next = id; next is not null && chain.Count < 10_000 && _responses.TryGetValue(next, out var r); next = r.PreviousResponseId)
        {
            chain.Add(r);
        }

        chain.Reverse();
        return Task.FromResult<IReadOnlyList<StoredResponse>>(chain);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_responses.TryRemove(id, out _));

    public Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var (id, response) in _responses)
        {
            if (response.CreatedAt < cutoff && _responses.TryRemove(id, out _))
            {
                removed++;
            }
        }

        return Task.FromResult(removed);
    }
}
