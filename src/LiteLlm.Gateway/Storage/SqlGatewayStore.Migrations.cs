using System.Globalization;

namespace LiteLlm.Gateway.Storage;

/// <summary>The schema: creation and the numbered migrations recorded in <c>litellm_schema_version</c>.</summary>
public sealed partial class SqlGatewayStore
{
    /// <inheritdoc />
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == SqlDialect.Sqlite)
        {
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (Dialect == SqlDialect.PostgreSql)
        {
            // Replicas starting together: one migrates, the others wait and then find the schema current.
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(7170717);", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS litellm_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);", cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt64(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM litellm_schema_version;", [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"The database schema is version {current}, newer than this gateway's {SchemaVersion}; upgrade the gateway.");
        }

        foreach (var (version, statements) in Migrations())
        {
            if (version <= current)
            {
                continue;
            }

            foreach (var statement in statements)
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO litellm_schema_version (version, applied_at) VALUES (@v, @t);", cancellationToken,
                ("v", (long)version), ("t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the schema version recorded in the database (0 when none).</summary>
    public async Task<long> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(await ScalarAsync(connection, null, "SELECT COALESCE(MAX(version), 0) FROM litellm_schema_version;", [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private IEnumerable<(int Version, string[] Statements)> Migrations()
    {
        var money = Dialect == SqlDialect.Sqlite ? "REAL" : "DOUBLE PRECISION";
        yield return (1,
        [
            $"CREATE TABLE IF NOT EXISTS litellm_keys (token TEXT PRIMARY KEY, key_name TEXT, key_alias TEXT, user_id TEXT, team_id TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, rpm_limit BIGINT, tpm_limit BIGINT, max_parallel_requests BIGINT, expires BIGINT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_keys_user ON litellm_keys (user_id);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_keys_team ON litellm_keys (team_id);",
            $"CREATE TABLE IF NOT EXISTS litellm_users (user_id TEXT PRIMARY KEY, user_email TEXT, user_role TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);",
            $"CREATE TABLE IF NOT EXISTS litellm_teams (team_id TEXT PRIMARY KEY, team_alias TEXT, models TEXT NOT NULL, max_budget {money}, budget_duration TEXT, metadata TEXT, spend {money} NOT NULL DEFAULT 0, blocked BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);",
            $"CREATE TABLE IF NOT EXISTS litellm_spend_logs (request_id TEXT PRIMARY KEY, api_key TEXT, user_id TEXT, team_id TEXT, model_group TEXT NOT NULL, deployment TEXT, provider TEXT, model TEXT, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL, total_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, spend {money}, latency_ms {money} NOT NULL, cache_hit BIGINT NOT NULL, status TEXT NOT NULL, start_time BIGINT NOT NULL, end_time BIGINT NOT NULL, endpoint TEXT);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_start ON litellm_spend_logs (start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_key ON litellm_spend_logs (api_key, start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_user ON litellm_spend_logs (user_id, start_time);",
            "CREATE INDEX IF NOT EXISTS ix_litellm_spend_logs_team ON litellm_spend_logs (team_id, start_time);",
        ]);
        yield return (2, ManagementMigration());
        yield return (3, ReportMigration(money));
        yield return (4, ["ALTER TABLE litellm_teams ADD COLUMN rpm_limit BIGINT;", "ALTER TABLE litellm_teams ADD COLUMN tpm_limit BIGINT;", "ALTER TABLE litellm_teams ADD COLUMN max_parallel_requests BIGINT;"]);
        yield return (5, HierarchyMigration(money));
        yield return (6, ModelsMigration());
    }
}
