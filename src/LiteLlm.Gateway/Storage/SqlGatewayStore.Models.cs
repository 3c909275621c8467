using System.Data.Common;
using System.Globalization;

namespace LiteLlm.Gateway.Storage;

/// <summary>
/// A deployment stored through <c>/model/new</c> (LiteLLM's <c>LiteLLM_ProxyModelTable</c>). <see cref="LitellmParams"/>
/// is the sealed (encrypted) <c>litellm_params</c> document, never the clear text.
/// </summary>
internal sealed record StoredModelRecord(
    string ModelId,
    string ModelName,
    string LitellmParams,
    string? ModelInfo,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? CreatedBy,
    string? UpdatedBy);

/// <summary>
/// Storage of the deployments added at run time. Every write also bumps one change counter in the same transaction, so a
/// replica learns that something changed from one cheap read (<see cref="GetModelsVersionAsync"/>).
/// </summary>
internal interface IModelStore
{
    /// <summary>Gets the change counter: it grows with every insert, update and delete.</summary>
    Task<long> GetModelsVersionAsync(CancellationToken cancellationToken);

    /// <summary>Gets every stored deployment (a gateway serves them all, so there is no paging here).</summary>
    Task<IReadOnlyList<StoredModelRecord>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>Gets one stored deployment, or null.</summary>
    Task<StoredModelRecord?> GetModelAsync(string modelId, CancellationToken cancellationToken);

    /// <summary>Inserts a deployment; false when its id is taken.</summary>
    Task<bool> InsertModelAsync(StoredModelRecord model, CancellationToken cancellationToken);

    /// <summary>Replaces a deployment's name, parameters and info; false when it does not exist.</summary>
    Task<bool> UpdateModelAsync(StoredModelRecord model, CancellationToken cancellationToken);

    /// <summary>Deletes a deployment; false when it did not exist.</summary>
    Task<bool> DeleteModelAsync(string modelId, CancellationToken cancellationToken);
}

/// <summary>The deployments added at run time (schema version 6).</summary>
public sealed partial class SqlGatewayStore : IModelStore
{
    private const string ModelColumns = "model_id, model_name, litellm_params, model_info, created_at, updated_at, created_by, updated_by";

    /// <inheritdoc />
    async Task<long> IModelStore.GetModelsVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var value = await ScalarAsync(connection, null, "SELECT version FROM litellm_model_changes WHERE id = 1;", [], cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<StoredModelRecord>> IModelStore.ListModelsAsync(CancellationToken cancellationToken)
        => await QueryAsync($"SELECT {ModelColumns} FROM litellm_proxy_models ORDER BY created_at, model_id;", ReadModel, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    async Task<StoredModelRecord?> IModelStore.GetModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {ModelColumns} FROM litellm_proxy_models WHERE model_id = @id;", ReadModel, cancellationToken, ("id", modelId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    Task<bool> IModelStore.InsertModelAsync(StoredModelRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var conflict = Dialect == SqlDialect.PostgreSql ? " ON CONFLICT (model_id) DO NOTHING" : string.Empty;
        var verb = Dialect == SqlDialect.Sqlite ? "INSERT OR IGNORE" : "INSERT";
        return WriteModelAsync($"{verb} INTO litellm_proxy_models ({ModelColumns}) VALUES (@model_id, @model_name, @litellm_params, @model_info, @created_at, @updated_at, @created_by, @updated_by){conflict};", ModelParameters(model), cancellationToken);
    }

    /// <inheritdoc />
    Task<bool> IModelStore.UpdateModelAsync(StoredModelRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WriteModelAsync("UPDATE litellm_proxy_models SET model_name = @model_name, litellm_params = @litellm_params, model_info = @model_info, updated_at = @updated_at, updated_by = @updated_by WHERE model_id = @model_id;", ModelParameters(model), cancellationToken);
    }

    /// <inheritdoc />
    Task<bool> IModelStore.DeleteModelAsync(string modelId, CancellationToken cancellationToken)
        => WriteModelAsync("DELETE FROM litellm_proxy_models WHERE model_id = @model_id;", [("model_id", modelId)], cancellationToken);

    /// <summary>Runs one write and, when it changed a row, bumps the change counter in the same transaction.</summary>
    private async Task<bool> WriteModelAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteAsync(connection, transaction, sql, cancellationToken, parameters).ConfigureAwait(false) > 0;
        if (changed)
        {
            await ExecuteAsync(connection, transaction, "UPDATE litellm_model_changes SET version = version + 1 WHERE id = 1;", cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    private static (string, object?)[] ModelParameters(StoredModelRecord m) =>
    [
        ("model_id", m.ModelId), ("model_name", m.ModelName), ("litellm_params", m.LitellmParams), ("model_info", m.ModelInfo),
        ("created_at", m.CreatedAt.ToUnixTimeMilliseconds()), ("updated_at", m.UpdatedAt.ToUnixTimeMilliseconds()),
        ("created_by", m.CreatedBy), ("updated_by", m.UpdatedBy),
    ];

    private static StoredModelRecord ReadModel(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        Str(r, 3),
        DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 4) ?? 0),
        DateTimeOffset.FromUnixTimeMilliseconds(Long(r, 5) ?? 0),
        Str(r, 6),
        Str(r, 7));

    /// <summary>Schema version 6: the stored deployments and their change counter.</summary>
    private static string[] ModelsMigration() =>
    [
        "CREATE TABLE IF NOT EXISTS litellm_proxy_models (model_id TEXT PRIMARY KEY, model_name TEXT NOT NULL, litellm_params TEXT NOT NULL, model_info TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, created_by TEXT, updated_by TEXT);",
        "CREATE TABLE IF NOT EXISTS litellm_model_changes (id BIGINT PRIMARY KEY, version BIGINT NOT NULL);",
        "INSERT INTO litellm_model_changes (id, version) VALUES (1, 0);",
    ];
}
