using LiteLlm.Routing;

namespace LiteLlm.Configuration;

/// <summary>
/// A LiteLLM <c>config.yaml</c> (or the <c>LiteLlm</c> section of appsettings.json, same shape), read
/// into typed settings. Unknown keys are listed in <see cref="Warnings"/>; invalid values in <see cref="Errors"/>.
/// </summary>
public sealed class LiteLlmConfig
{
    /// <summary>Gets the deployments (<c>model_list</c>).</summary>
    public IReadOnlyList<Deployment> ModelList { get; init; } = [];

    /// <summary>Gets catalog entries the config defines (per-deployment prices and context windows).</summary>
    public IReadOnlyList<Models.ModelInfo> ModelOverrides { get; init; } = [];

    /// <summary>Gets <c>router_settings</c> merged with the router-relevant <c>litellm_settings</c>.</summary>
    public RouterSettings Router { get; init; } = new();

    /// <summary>Gets <c>litellm_settings</c>.</summary>
    public LitellmSettings Litellm { get; init; } = new();

    /// <summary>
    /// Gets <c>general_settings</c>: the server's settings, carried for the host (the gateway) and checked for types when
    /// the file is read; the library itself never reads them.
    /// </summary>
    public GeneralSettings General { get; init; } = new();

    /// <summary>Gets <c>environment_variables</c>: visible to <c>os.environ/NAME</c> references and to providers.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the keys that were not understood, with their paths (never silently ignored).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Gets the values that are wrong, with their paths; a config with errors must not start.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Builds the router's options from this config.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    public RouterOptions ToRouterOptions(TimeProvider? timeProvider = null)
    {
        var r = Router;
        var options = new RouterOptions
        {
            Deployments = [.. ModelList],
            RoutingStrategy = r.RoutingStrategy ?? RoutingStrategies.SimpleShuffle,
            NumRetries = r.NumRetries ?? Litellm.NumRetries ?? 2,
            RetryPolicy = r.RetryPolicy ?? new RetryPolicy(),
            AllowedFails = r.AllowedFails ?? 3,
            CooldownTime = r.CooldownTime ?? TimeSpan.FromSeconds(5),
            DisableCooldowns = r.DisableCooldowns,
            MaxFallbacks = r.MaxFallbacks ?? 5,
            EnablePreCallChecks = r.EnablePreCallChecks,
            EnableTagFiltering = r.EnableTagFiltering,
            HedgeAfter = r.HedgeAfter,
            AdaptiveHedging = r.AdaptiveHedging,
            MaxHedgedShare = r.HedgeMaxShare,
            HedgePercentile = r.HedgePercentile ?? 0.95,
            StreamTimeout = r.StreamTimeout,
            TimeProvider = timeProvider ?? TimeProvider.System,
        };
        Copy(Merge(r.Fallbacks, Litellm.Fallbacks), options.Fallbacks);
        Copy(Merge(r.ContextWindowFallbacks, Litellm.ContextWindowFallbacks), options.ContextWindowFallbacks);
        Copy(Merge(r.ContentPolicyFallbacks, Litellm.ContentPolicyFallbacks), options.ContentPolicyFallbacks);
        foreach (var group in r.DefaultFallbacks.Count > 0 ? r.DefaultFallbacks : Litellm.DefaultFallbacks)
        {
            options.DefaultFallbacks.Add(group);
        }

        foreach (var (target, messages) in r.FallbackMessages)
        {
            options.FallbackMessages[target] = messages;
        }

        foreach (var (alias, group) in r.ModelGroupAlias)
        {
            options.ModelGroupAlias[alias] = group;
        }

        return options;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Merge(IReadOnlyDictionary<string, IReadOnlyList<string>> router, IReadOnlyDictionary<string, IReadOnlyList<string>> litellm)
        => router.Count > 0 ? router : litellm;

    private static void Copy(IReadOnlyDictionary<string, IReadOnlyList<string>> from, IDictionary<string, IReadOnlyList<string>> to)
    {
        foreach (var (group, targets) in from)
        {
            to[group] = targets;
        }
    }
}

/// <summary>LiteLLM's <c>router_settings</c>.</summary>
public sealed record RouterSettings
{
    /// <summary>Gets the routing strategy (<c>routing_strategy</c>, e.g. <c>simple-shuffle</c>), or null for the default.</summary>
    public string? RoutingStrategy { get; init; }

    /// <summary>Gets the retries per request (<c>num_retries</c>), or null for the default.</summary>
    public int? NumRetries { get; init; }

    /// <summary>Gets the time limit of a call (<c>timeout</c>), or null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the time limit to a stream's first update (<c>stream_timeout</c>), or null.</summary>
    public TimeSpan? StreamTimeout { get; init; }

    /// <summary>Gets the failures a deployment may have within the window before it cools down (<c>allowed_fails</c>), or null for the default.</summary>
    public int? AllowedFails { get; init; }

    /// <summary>Gets how long a failing deployment is left out (<c>cooldown_time</c>), or null for the default.</summary>
    public TimeSpan? CooldownTime { get; init; }

    /// <summary>Gets a value indicating whether deployments are never cooled down (<c>disable_cooldowns</c>).</summary>
    public bool DisableCooldowns { get; init; }

    /// <summary>Gets the most fallback groups tried per request (<c>max_fallbacks</c>), or null for the default.</summary>
    public int? MaxFallbacks { get; init; }

    /// <summary>Gets a value indicating whether deployments whose context window is too small for the prompt are skipped (<c>enable_pre_call_checks</c>).</summary>
    public bool EnablePreCallChecks { get; init; }

    /// <summary>Gets a value indicating whether deployments are chosen by the request's tags (<c>enable_tag_filtering</c>).</summary>
    public bool EnableTagFiltering { get; init; }

    /// <summary>Gets the fixed hedging delay (<c>hedge_after: 0.5</c>, seconds), or null.</summary>
    public TimeSpan? HedgeAfter { get; init; }

    /// <summary>Gets a value indicating whether hedging is adaptive (<c>hedge_after: adaptive</c>).</summary>
    public bool AdaptiveHedging { get; init; }

    /// <summary>Gets the cap on the share of hedged requests (<c>hedge_max_share</c>; 0.05 by default when adaptive).</summary>
    public double? HedgeMaxShare { get; init; }

    /// <summary>Gets the percentile adaptive hedging waits for (<c>hedge_percentile</c>; 0.95 by default).</summary>
    public double? HedgePercentile { get; init; }

    /// <summary>
    /// Gets a value indicating whether the gateway lowers a request's <c>max_tokens</c> to what the remaining budget of
    /// its key, team and user pays for instead of refusing it (<c>budget_aware_max_tokens</c>).
    /// </summary>
    public bool BudgetAwareMaxTokens { get; init; }

    /// <summary>Gets the fewest output tokens a budget-aware request is lowered to; below it the request is refused (<c>budget_aware_min_tokens</c>, 256).</summary>
    public int BudgetAwareMinTokens { get; init; } = 256;

    /// <summary>Gets the retries per error kind (<c>retry_policy</c>), or null.</summary>
    public RetryPolicy? RetryPolicy { get; init; }

    /// <summary>Gets the fallback groups tried after a group fails, by group (<c>fallbacks</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the groups tried when the prompt does not fit, by group (<c>context_window_fallbacks</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContextWindowFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the groups tried after a content-policy refusal, by group (<c>content_policy_fallbacks</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContentPolicyFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the groups tried after any group without its own fallbacks fails (<c>default_fallbacks</c>).</summary>
    public IReadOnlyList<string> DefaultFallbacks { get; init; } = [];

    /// <summary>Gets other names of model groups, alias to group (<c>model_group_alias</c>).</summary>
    public IReadOnlyDictionary<string, string> ModelGroupAlias { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the messages <c>{model, messages}</c> fallback targets bring (from any fallbacks setting), by target.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>> FallbackMessages { get; init; }
        = new Dictionary<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>>();

    /// <summary>Gets the Redis connection for shared router state (<c>redis_url</c> or host/port/password).</summary>
    public string? RedisConfiguration { get; init; }
}

/// <summary>LiteLLM's <c>litellm_settings</c>.</summary>
public sealed record LitellmSettings
{
    /// <summary>Gets a value indicating whether parameters a provider does not support are dropped rather than refused (<c>drop_params</c>).</summary>
    public bool DropParams { get; init; }

    /// <summary>Gets the retries per request (<c>num_retries</c>), or null.</summary>
    public int? NumRetries { get; init; }

    /// <summary>Gets the time limit of a call (<c>request_timeout</c>), or null.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>Gets a value indicating whether the response cache is on (<c>cache: true</c>).</summary>
    public bool Cache { get; init; }

    /// <summary>Gets <c>cache_params</c>: type (local/redis), host, port, password, ttl, namespace.</summary>
    public CacheSettings? CacheParams { get; init; }

    /// <summary>Gets the callback names (LiteLLM integrations; only those this library knows are honoured).</summary>
    public IReadOnlyList<string> Callbacks { get; init; } = [];

    /// <summary>Gets the fallback groups by group (<c>fallbacks</c>), as in <c>router_settings</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the context-window fallback groups by group (<c>context_window_fallbacks</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContextWindowFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the content-policy fallback groups by group (<c>content_policy_fallbacks</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContentPolicyFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Gets the groups tried after any group without its own fallbacks fails (<c>default_fallbacks</c>).</summary>
    public IReadOnlyList<string> DefaultFallbacks { get; init; } = [];

    /// <summary>
    /// Gets the JSONL file every call that reaches a provider is recorded to (<c>record_file</c>, ours; off when absent),
    /// for a <c>mock/replay</c> deployment to play back.
    /// </summary>
    public string? RecordFile { get; init; }

    /// <summary>Gets fields redacted in the recording besides keys and credentials (<c>record_redact_fields</c>).</summary>
    public IReadOnlyList<string> RecordRedactFields { get; init; } = [];
}

/// <summary>LiteLLM's <c>cache_params</c>.</summary>
public sealed record CacheSettings
{
    /// <summary>Gets the cache type: <c>local</c> (in memory) or <c>redis</c>.</summary>
    public string Type { get; init; } = "local";

    /// <summary>Gets the Redis connection string (from host, port and password), for the <c>redis</c> type.</summary>
    public string? RedisConfiguration { get; init; }

    /// <summary>Gets how long an answer stays cached (<c>ttl</c>), or null for the default.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Gets the prefix of cache keys (<c>namespace</c>), or null.</summary>
    public string? Namespace { get; init; }
}

/// <summary>
/// LiteLLM's <c>general_settings</c>: host-facing. These are a server's settings (the proxy's master key, database and
/// client allow-list); the loader reads them so that one config.yaml serves library and gateway and a bad value fails at
/// load time, but nothing in the library acts on them.
/// </summary>
public sealed record GeneralSettings
{
    /// <summary>Gets the master key (admin and, without virtual keys, the only accepted key).</summary>
    public string? MasterKey { get; init; }

    /// <summary>Gets the database for keys and spend: PostgreSQL when set, SQLite otherwise.</summary>
    public string? DatabaseUrl { get; init; }

    /// <summary>Gets the client addresses allowed to call the gateway; empty allows all.</summary>
    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    /// <summary>Gets the largest request body in megabytes.</summary>
    public double? MaxRequestSizeMb { get; init; }

    /// <summary>Gets the other general settings as given (for hosts that understand more).</summary>
    public IReadOnlyDictionary<string, object?> Other { get; init; } = new Dictionary<string, object?>();
}
