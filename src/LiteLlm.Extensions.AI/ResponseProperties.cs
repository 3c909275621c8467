namespace LiteLlm;

/// <summary>
/// Keys the library writes into <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/>
/// (and the final <see cref="Microsoft.Extensions.AI.ChatResponseUpdate"/> of a stream) so that every
/// layer — router, cost, cache, callbacks, gateway headers — reads one set of facts about a call.
/// </summary>
public static class ResponseProperties
{
    /// <summary>The provider that served the call (<see cref="string"/>, e.g. <c>openai</c>).</summary>
    public const string Provider = "litellm.provider";

    /// <summary>The deployment that served the call (<see cref="string"/> deployment id), set by the router.</summary>
    public const string Deployment = "litellm.deployment";

    /// <summary>The model group the caller asked for (<see cref="string"/>), set by the router.</summary>
    public const string ModelGroup = "litellm.model_group";

    /// <summary>How many provider calls the request took (<see cref="int"/>, 1 without retries), set by the router.</summary>
    public const string Attempts = "litellm.attempts";

    /// <summary>The fallback model groups tried, in order (<see cref="string"/>[]), set by the router.</summary>
    public const string Fallbacks = "litellm.fallbacks";

    /// <summary>The cost in USD (<see cref="decimal"/>), or absent/null when the price is unknown.</summary>
    public const string Cost = "litellm.response_cost";

    /// <summary>Whether the answer came from the cache (<see cref="bool"/>).</summary>
    public const string CacheHit = "litellm.cache_hit";

    /// <summary>Parameters dropped because the provider does not support them (<see cref="string"/>[]).</summary>
    public const string DroppedParams = "litellm.dropped_params";

    /// <summary>
    /// Seconds the provider call that answered took (<see cref="double"/>): to the answer, or to the end of a stream
    /// (on its final update); set by the router.
    /// </summary>
    public const string ApiLatency = "litellm.api_latency";
}
