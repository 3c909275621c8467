using System.Data.Common;
using System.Globalization;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Storage;

/// <summary>
/// The PostgreSQL spend writer: a batch is one statement, so one round trip. Its rows go in as one array parameter per
/// column (<c>unnest</c>, in batch order) through one <c>INSERT … ON CONFLICT (request_id) DO NOTHING RETURNING</c>, and the tag rows and the key, user, team, customer and
/// organization totals are written from what that insert returned (data-modifying CTEs of the same statement), so a row
/// already stored, or repeated within the batch, is counted once.
/// </summary>
public sealed partial class SqlGatewayStore
{
    /// <summary>The rows: 21 arrays, one per column of <see cref="SpendColumns"/>, unnested in batch order (the first of two rows with one request id wins).</summary>
    private const string PostgresSpendHead = $"""
        WITH ins AS (
          INSERT INTO litellm_spend_logs ({SpendColumns})
          SELECT {SpendColumns} FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::double precision[], $14::double precision[], $15::bigint[], $16::text[],
            $17::bigint[], $18::bigint[], $19::text[], $20::text[], $21::text[])
            WITH ORDINALITY AS u({SpendColumns}, ord)
          ORDER BY ord
        """;

    /// <summary>
    /// Everything after the rows. Totals come from the rows this statement inserted (<c>ins</c>), with a cost other
    /// than zero, summed per id; ids are sorted, so concurrent writers (other replicas) tend to lock rows in the same order;
    /// a deadlock PostgreSQL still detects aborts the whole statement, which the spend writer retries without double counting.
    /// </summary>
    private const string PostgresSpendTail = """
         ON CONFLICT (request_id) DO NOTHING
          RETURNING request_id, api_key, user_id, team_id, end_user, spend, start_time, request_tags),
        cost AS (SELECT api_key, user_id, team_id, end_user, spend FROM ins WHERE spend IS NOT NULL AND spend <> 0),
        tags AS (
          INSERT INTO litellm_spend_tags (request_id, tag, start_time, spend)
          SELECT i.request_id, t.tag, i.start_time, i.spend FROM ins i CROSS JOIN LATERAL json_array_elements_text(i.request_tags::json) AS t(tag)
          WHERE i.request_tags IS NOT NULL
          ON CONFLICT (request_id, tag) DO NOTHING),
        keys AS (
          UPDATE litellm_keys AS x SET spend = x.spend + s.amount
          FROM (SELECT api_key AS id, SUM(spend) AS amount FROM cost WHERE api_key IS NOT NULL GROUP BY api_key ORDER BY api_key) AS s
          WHERE x.token = s.id),
        users AS (
          UPDATE litellm_users AS x SET spend = x.spend + s.amount
          FROM (SELECT user_id AS id, SUM(spend) AS amount FROM cost WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY user_id) AS s
          WHERE x.user_id = s.id),
        teams AS (
          UPDATE litellm_teams AS x SET spend = x.spend + s.amount
          FROM (SELECT team_id AS id, SUM(spend) AS amount FROM cost WHERE team_id IS NOT NULL GROUP BY team_id ORDER BY team_id) AS s
          WHERE x.team_id = s.id),
        customers AS (
          UPDATE litellm_end_users AS x SET spend = x.spend + s.amount
          FROM (SELECT end_user AS id, SUM(spend) AS amount FROM cost WHERE end_user IS NOT NULL GROUP BY end_user ORDER BY end_user) AS s
          WHERE x.user_id = s.id),
        organizations AS (
          UPDATE litellm_organizations AS x SET spend = x.spend + s.amount
          FROM (SELECT t.organization_id AS id, SUM(c.spend) AS amount FROM cost c JOIN litellm_teams t ON t.team_id = c.team_id
                WHERE t.organization_id IS NOT NULL GROUP BY t.organization_id ORDER BY t.organization_id) AS s
          WHERE x.organization_id = s.id)
        SELECT COUNT(*) FROM ins;
        """;

    /// <summary>Writes a batch to PostgreSQL in one statement (one round trip, whatever its size: the rows are 21 array parameters); returns the rows inserted.</summary>
    private async Task<long> WritePostgresSpendAsync(IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgresSpendCommand(connection, records);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>The statement for a batch: one array parameter per column.</summary>
    private static DbCommand PostgresSpendCommand(DbConnection connection, IReadOnlyList<SpendRecord> records)
    {
        var count = records.Count;
        var text = new string?[8][];
        for (var c = 0; c < text.Length; c++)
        {
            text[c] = new string?[count];
        }

        var tokens = new long[4][];
        for (var c = 0; c < tokens.Length; c++)
        {
            tokens[c] = new long[count];
        }

        var spend = new double?[count];
        var latency = new double[count];
        var cacheHit = new long[count];
        var status = new string[count];
        var startTime = new long[count];
        var endTime = new long[count];
        var endpoint = new string?[count];
        var tags = new string?[count];
        var endUser = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var r = records[i];
            (text[0][i], text[1][i], text[2][i], text[3][i], text[4][i], text[5][i], text[6][i], text[7][i]) = (r.RequestId, r.KeyId, r.UserId, r.TeamId, r.ModelGroup, r.Deployment, r.Provider, r.Model);
            (tokens[0][i], tokens[1][i], tokens[2][i], tokens[3][i]) = (r.InputTokens, r.OutputTokens, r.InputTokens + r.OutputTokens, r.CachedTokens);
            spend[i] = Money(r.Cost);
            latency[i] = r.LatencyMs;
            cacheHit[i] = r.CacheHit ? 1L : 0L;
            status[i] = r.Status;
            startTime[i] = r.StartTime.ToUnixTimeMilliseconds();
            endTime[i] = r.EndTime.ToUnixTimeMilliseconds();
            endpoint[i] = r.Endpoint;
            tags[i] = r.Tags.Count == 0 ? null : JsonText.ListToJson(r.Tags);
            endUser[i] = r.EndUser;
        }

        var command = connection.CreateCommand();
        command.CommandText = PostgresSpendHead + PostgresSpendTail;
        foreach (var value in new object[] { text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], tokens[0], tokens[1], tokens[2], tokens[3], spend, latency, cacheHit, status, startTime, endTime, endpoint, tags, endUser })
        {
            var parameter = command.CreateParameter();
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
