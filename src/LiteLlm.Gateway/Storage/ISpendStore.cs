using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Storage;

/// <summary>Filters and paging for <c>GET /spend/logs</c>.</summary>
public sealed record SpendLogQuery
{
    /// <summary>Gets the page number, from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Gets the rows per page.</summary>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the key hash to filter on.</summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the user to filter on.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the team to filter on.</summary>
    public string? TeamId { get; init; }

    /// <summary>Gets the request id to filter on.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the model group to filter on.</summary>
    public string? ModelGroup { get; init; }

    /// <summary>Gets the outcome to filter on (<c>success</c> or an error kind).</summary>
    public string? Status { get; init; }

    /// <summary>Gets the inclusive lower bound on the start time.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>Gets the exclusive upper bound on the start time.</summary>
    public DateTimeOffset? EndTime { get; init; }
}

/// <summary>One page of spend rows.</summary>
public sealed record SpendLogPage(IReadOnlyList<SpendRecord> Rows, long TotalCount);

/// <summary>What a spend scope is: a key, a user, a team or an organization.</summary>
public enum SpendScope
{
    /// <summary>A virtual key.</summary>
    Key,
    /// <summary>A user.</summary>
    User,
    /// <summary>A team.</summary>
    Team,
    /// <summary>An organization (the spend of its teams).</summary>
    Organization,
    /// <summary>A customer (the request's <c>user</c>, LiteLLM's end user).</summary>
    Customer,
}

/// <summary>How <c>/global/spend/report</c> groups a day's spend.</summary>
public enum SpendGrouping
{
    /// <summary>By team.</summary>
    Team,
    /// <summary>By key.</summary>
    Key,
    /// <summary>By model.</summary>
    Model,
    /// <summary>By customer (the request's <c>user</c>, LiteLLM's end user).</summary>
    Customer,
}

/// <summary>One tag's spend: how many requests carried it and what they cost.</summary>
public sealed record TagSpend(string Tag, long LogCount, decimal TotalSpend);

/// <summary>One day's spend of one group (team, key or model) on one model group.</summary>
public sealed record DailySpend(DateTimeOffset Day, string? Group, string ModelGroup, decimal Spend, long TotalTokens, long Requests);

/// <summary>Storage of spend records; writing a batch also adds its cost to the key, user and team totals, atomically.</summary>
public interface ISpendStore
{
    /// <summary>Writes a batch in one transaction (idempotent on request id, so a retried batch is not counted twice).</summary>
    Task WriteSpendAsync(IReadOnlyList<SpendRecord> records, CancellationToken cancellationToken);

    /// <summary>Reads one page of spend rows.</summary>
    /// <param name="query">The filters and page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<SpendLogPage> QuerySpendLogsAsync(SpendLogQuery query, CancellationToken cancellationToken);

    /// <summary>Gets the total spend of every request logged since <paramref name="since"/> (all time when null).</summary>
    Task<decimal> GetGlobalSpendAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Gets the spend logged for one key, user or team since <paramref name="since"/> (all time when null).</summary>
    Task<decimal> GetSpendAsync(SpendScope scope, string id, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Gets the spend per request tag in a time range (either bound optional), dearest first, at most <paramref name="limit"/> tags.</summary>
    Task<IReadOnlyList<TagSpend>> GetSpendByTagAsync(DateTimeOffset? from, DateTimeOffset? until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Gets the spend per UTC day, group and model group in [<paramref name="from"/>, <paramref name="until"/>); with
    /// <paramref name="group"/>, only that group's rows (one key, team, customer or model group).
    /// </summary>
    Task<IReadOnlyList<DailySpend>> GetDailySpendAsync(DateTimeOffset from, DateTimeOffset until, SpendGrouping grouping, string? group, CancellationToken cancellationToken);
}
