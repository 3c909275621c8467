namespace LiteLlm.Gateway.Auth;

/// <summary>
/// Settings for authentication, virtual keys, budgets, rate limits and spend storage
/// (LiteLLM's <c>general_settings.master_key</c> and <c>general_settings.database_url</c>).
/// </summary>
public sealed class GatewayAuthOptions
{
    /// <summary>
    /// Gets or sets the master (admin) key. When null or empty the gateway runs without auth: every caller is
    /// <see cref="CallerIdentity.Anonymous"/> and the admin endpoints refuse with 400.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>
    /// Gets or sets the PostgreSQL database (<c>postgresql://user:pass@host:port/db</c> or an Npgsql connection string).
    /// When null, keys and spend live in the embedded SQLite file <see cref="SqlitePath"/>.
    /// </summary>
    public string? DatabaseUrl { get; set; }

    /// <summary>Gets or sets the SQLite database file used when <see cref="DatabaseUrl"/> is not set.</summary>
    public string SqlitePath { get; set; } = "litellm-gateway.db";

    /// <summary>
    /// Gets or sets a StackExchange.Redis configuration string. When set (or when an <c>IConnectionMultiplexer</c> is
    /// registered in DI), rate limits and budget counters are shared across gateway processes through Redis.
    /// </summary>
    public string? RedisConfiguration { get; set; }

    /// <summary>Gets or sets the prefix of every Redis key this gateway writes (replicas that share it share limits).</summary>
    public string RedisKeyPrefix { get; set; } = "litellm-gw";

    /// <summary>Gets or sets how long a looked-up key stays in the in-memory cache (LiteLLM's <c>user_api_key_cache_ttl</c>).</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the length of the rpm/tpm window.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many queued spend records make a batch be written (a writer behind the load takes up to ten times as many at once).</summary>
    public int SpendBatchSize { get; set; } = 100;

    /// <summary>Gets or sets the longest a spend record waits before its batch is written.</summary>
    public TimeSpan SpendFlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many spend records may wait in memory (queue plus retry buffer) before new ones are dropped.</summary>
    public int SpendQueueCapacity { get; set; } = 50_000;

    /// <summary>
    /// Gets or sets how a request's cost is estimated for the budget reservation from its model group and estimated
    /// prompt tokens. The default prices the tokens at the model's catalog input price (0 when unknown).
    /// </summary>
    public Func<string, int, decimal>? CostEstimator { get; set; }

    /// <summary>
    /// Gets or sets whether a <c>models</c> list (a key's, team's or user's; never empty here) allows a requested model.
    /// The default is the router's <see cref="LiteLlm.Routing.LiteLlmRouter.IsModelAllowed"/>: names, model groups,
    /// access groups and wildcards.
    /// </summary>
    public Func<IReadOnlyList<string>, string, bool>? ModelAccess { get; set; }
}
