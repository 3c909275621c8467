using System.Data.Common;
using System.Globalization;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Storage;

/// <summary>The spend reports: spend per tag and spend per day grouped by team, key or model, over indexed date ranges.</summary>
public sealed partial class SqlGatewayStore
{
    /// <summary>The most rows (day × group × model) a daily report returns; one more means the range must be narrowed.</summary>
    public const int MaxReportRows = 100_000;

    private const long DayMs = 86_400_000;

    /// <inheritdoc />
    public async Task<IReadOnlyList<TagSpend>> GetSpendByTagAsync(DateTimeOffset? from, DateTimeOffset? until, int limit, CancellationToken cancellationToken)
    {
        var where = new Where();
        where.Add("start_time", ">=", from?.ToUnixTimeMilliseconds());
        where.Add("start_time", "<", until?.ToUnixTimeMilliseconds());
        limit = Math.Clamp(limit, 1, 1000);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection,
            $"SELECT tag, COUNT(*), COALESCE(SUM(spend), 0) FROM litellm_spend_tags{where} GROUP BY tag ORDER BY 3 DESC, tag LIMIT {limit};",
            r => new TagSpend(r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), ToMoney(r.GetValue(2))),
            cancellationToken, [.. where.Parameters]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>At most <see cref="MaxReportRows"/> + 1 rows: a caller that gets more than <see cref="MaxReportRows"/> asked for too wide a range.</remarks>
    public async Task<IReadOnlyList<DailySpend>> GetDailySpendAsync(DateTimeOffset from, DateTimeOffset until, SpendGrouping grouping, string? group, CancellationToken cancellationToken)
    {
        var column = grouping switch { SpendGrouping.Team => "team_id", SpendGrouping.Key => "api_key", SpendGrouping.Customer => "end_user", _ => "model_group" };
        var where = new Where();
        where.Add("start_time", ">=", from.ToUnixTimeMilliseconds());
        where.Add("start_time", "<", until.ToUnixTimeMilliseconds());
        where.Add(column, group);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // One row per day, group and model: bounded by the date range the endpoint allows, and read off the start_time index.
        // Ordered here, not by the database: without ORDER BY PostgreSQL aggregates in a hash table instead of sorting every
        // matching row by 64-character key hashes under the locale's collation (which spilled to disk over 1M rows); the
        // groups are few (at most MaxReportRows), so the ordinal sort below is cheap. Nulls sort last, as PostgreSQL's did.
        var rows = await QueryAsync(connection,
            $"SELECT start_time / {DayMs} AS day, {column}, model_group, COALESCE(SUM(spend), 0), SUM(total_tokens), COUNT(*) FROM litellm_spend_logs{where} GROUP BY start_time / {DayMs}, {column}, model_group LIMIT {MaxReportRows + 1};",
            ReadDaily, cancellationToken, [.. where.Parameters]).ConfigureAwait(false);
        rows.Sort(static (a, b) =>
        {
            var order = a.Day.CompareTo(b.Day);
            if (order == 0)
            {
                order = (a.Group, b.Group) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    _ => string.CompareOrdinal(a.Group, b.Group),
                };
            }

            return order != 0 ? order : string.CompareOrdinal(a.ModelGroup, b.ModelGroup);
        });
        return rows;
    }

    /// <summary>Schema version 3: the request's tags on its spend row, and one row per tag for the tag report.</summary>
    private static string[] ReportMigration(string money) =>
    [
        "ALTER TABLE litellm_spend_logs ADD COLUMN request_tags TEXT;",
        $"CREATE TABLE IF NOT EXISTS litellm_spend_tags (request_id TEXT NOT NULL, tag TEXT NOT NULL, start_time BIGINT NOT NULL, spend {money}, PRIMARY KEY (request_id, tag));",
        "CREATE INDEX IF NOT EXISTS ix_litellm_spend_tags_start ON litellm_spend_tags (start_time, tag);",
        "CREATE INDEX IF NOT EXISTS ix_litellm_spend_tags_tag ON litellm_spend_tags (tag, start_time);",
    ];

    private static DailySpend ReadDaily(DbDataReader r) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture) * DayMs),
        Str(r, 1),
        r.GetString(2),
        ToMoney(r.GetValue(3)),
        Long(r, 4) ?? 0,
        Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture));

    /// <summary>Writes the tag rows of the spend rows this batch inserted (a retried batch adds none twice).</summary>
    private static async Task InsertTagsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SpendRecord> records, bool[] inserted, CancellationToken cancellationToken)
    {
        for (var i = 0; i < records.Count; i++)
        {
            if (!inserted[i])
            {
                continue;
            }

            foreach (var tag in records[i].Tags)
            {
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO litellm_spend_tags (request_id, tag, start_time, spend) VALUES (@request_id, @tag, @start_time, @spend) ON CONFLICT (request_id, tag) DO NOTHING;",
                    cancellationToken, ("request_id", records[i].RequestId), ("tag", tag), ("start_time", records[i].StartTime.ToUnixTimeMilliseconds()), ("spend", Money(records[i].Cost))).ConfigureAwait(false);
            }
        }
    }
}
