namespace LiteLlm.Routing;

/// <summary>
/// The router's settings: LiteLLM's <c>Router(...)</c> / <c>router_settings</c>, with the same names
/// and defaults where LiteLLM documents them.
/// </summary>
public sealed class RouterOptions
{
    /// <summary>Gets the deployments (LiteLLM's <c>model_list</c>).</summary>
    public IList<Deployment> Deployments { get; init; } = [];

    /// <summary>Gets or sets the strategy name (see <see cref="RoutingStrategies"/>). The default is <c>simple-shuffle</c>.</summary>
    public string RoutingStrategy { get; set; } = RoutingStrategies.SimpleShuffle;

    /// <summary>Gets or sets the retries of a transient error within a model group. The default is 2.</summary>
    public int NumRetries { get; set; } = 2;

    /// <summary>Gets or sets the retries per error kind.</summary>
    public RetryPolicy RetryPolicy { get; set; } = new();

    /// <summary>Gets or sets the first back-off delay when no other deployment is healthy (doubles, with jitter). The default is 0.5 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest back-off delay, also the cap on a provider's Retry-After. The default is 8 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Gets or sets how many failures a deployment may have within <see cref="AllowedFailsWindow"/> before it is cooled down. The default is 3.</summary>
    public int AllowedFails { get; set; } = 3;

    /// <summary>Gets or sets the window <see cref="AllowedFails"/> counts in. The default is 1 minute.</summary>
    public TimeSpan AllowedFailsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long a cooled-down deployment rests. The default is 5 s (LiteLLM's).</summary>
    public TimeSpan CooldownTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether cooldowns are off.</summary>
    public bool DisableCooldowns { get; set; }

    /// <summary>Gets the fallbacks: model group → model groups tried in order when it fails.</summary>
    public IDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the fallbacks used when the prompt does not fit the context window.</summary>
    public IDictionary<string, IReadOnlyList<string>> ContextWindowFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the fallbacks used when the provider refuses on content policy.</summary>
    public IDictionary<string, IReadOnlyList<string>> ContentPolicyFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the messages a fallback sends instead of the caller's, by the fallback's model group (LiteLLM's
    /// <c>{"model": "claude", "messages": [...]}</c> fallback targets).
    /// </summary>
    public IDictionary<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>> FallbackMessages { get; init; }
        = new Dictionary<string, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the fallbacks for a group that has none of its own.</summary>
    public IList<string> DefaultFallbacks { get; init; } = [];

    /// <summary>Gets or sets the most fallback groups one request tries. The default is 5.</summary>
    public int MaxFallbacks { get; set; } = 5;

    /// <summary>Gets the aliases: public name → model group (LiteLLM's <c>model_group_alias</c>).</summary>
    public IDictionary<string, string> ModelGroupAlias { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets a value indicating whether deployments whose context window is smaller than the prompt are skipped before the call.</summary>
    public bool EnablePreCallChecks { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether deployments are filtered by the request's <c>tags</c> (LiteLLM's
    /// <c>enable_tag_filtering</c>): a tagged request goes only to deployments sharing one of its tags (else to those
    /// tagged <c>default</c>), an untagged one to the <c>default</c>-tagged deployments when there are any.
    /// </summary>
    public bool EnableTagFiltering { get; set; }

    /// <summary>Gets or sets the time a stream may take to its first update before the attempt fails over (LiteLLM's <c>stream_timeout</c>).</summary>
    public TimeSpan? StreamTimeout { get; set; }

    /// <summary>
    /// Gets or sets the hedging threshold: when the first deployment has not answered (or, streaming,
    /// sent its first update) within it, the same request goes to a second deployment and the first
    /// answer wins. <see langword="null"/> (the default) turns hedging off.
    /// </summary>
    public TimeSpan? HedgeAfter { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether hedging is adaptive: a request is hedged once it has waited longer than
    /// its group's observed <see cref="HedgePercentile"/> time to first token (to the answer when not streaming), over
    /// the recent samples of the group's deployments, and at most <see cref="MaxHedgedShare"/> of requests are hedged.
    /// Until <see cref="HedgeMinSamples"/> samples exist, nothing is hedged. Overrides <see cref="HedgeAfter"/>.
    /// </summary>
    public bool AdaptiveHedging { get; set; }

    /// <summary>Gets or sets the percentile adaptive hedging waits for. The default is 0.95.</summary>
    public double HedgePercentile { get; set; } = 0.95;

    /// <summary>Gets or sets the samples a group needs before adaptive hedging starts. The default is 20.</summary>
    public int HedgeMinSamples { get; set; } = 20;

    /// <summary>
    /// Gets or sets the largest share of a group's requests that may be hedged (over about its last thousand requests).
    /// The default is 0.05 with <see cref="AdaptiveHedging"/> and no cap with a fixed <see cref="HedgeAfter"/>.
    /// </summary>
    public double? MaxHedgedShare { get; set; }

    /// <summary>Gets or sets the clock. The default is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where cooldowns and usage live; in memory by default, Redis to share them across replicas.</summary>
    public IRouterStateStore? StateStore { get; set; }

    /// <summary>
    /// Gets or sets the prompt-token counter used by pre-call checks and usage routing. The default is
    /// the tokenizer (<see cref="Cost.TokenCounter"/>) when pre-call checks are on, else four characters a token.
    /// </summary>
    public Func<IEnumerable<Microsoft.Extensions.AI.ChatMessage>, int>? TokenCounter { get; set; }

    /// <summary>Gets the strategies users add (by <see cref="IRoutingStrategy.Name"/>).</summary>
    public IList<IRoutingStrategy> CustomStrategies { get; init; } = [];
}
