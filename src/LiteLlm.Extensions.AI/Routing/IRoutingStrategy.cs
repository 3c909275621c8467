namespace LiteLlm.Routing;

/// <summary>A named way to choose among a model group's available deployments (YARP-style named policy).</summary>
public interface IRoutingStrategy
{
    /// <summary>Gets the name configuration refers to (e.g. <c>least-busy</c>).</summary>
    string Name { get; }

    /// <summary>Chooses one of <paramref name="candidates"/> (never empty: every one is healthy, under its limits and of the lowest order tier).</summary>
    DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates);
}

/// <summary>What a strategy knows about the request being routed.</summary>
/// <param name="ModelGroup">The model group asked for.</param>
/// <param name="IsStreaming">Whether the caller streams (latency routing then uses time to first token).</param>
/// <param name="EstimatedPromptTokens">The prompt's estimated size in tokens.</param>
public readonly record struct RoutingRequest(string ModelGroup, bool IsStreaming, int EstimatedPromptTokens);

/// <summary>The names of the built-in strategies, as LiteLLM spells them.</summary>
public static class RoutingStrategies
{
    /// <summary>Random, weighted by weight, else rpm, else tpm (LiteLLM's default).</summary>
    public const string SimpleShuffle = "simple-shuffle";

    /// <summary>The deployment with the fewest calls in flight.</summary>
    public const string LeastBusy = "least-busy";

    /// <summary>The deployment with the fewest tokens used this minute.</summary>
    public const string UsageBased = "usage-based-routing";

    /// <summary>The deployment with the lowest recent latency (time to first token for streams).</summary>
    public const string LatencyBased = "latency-based-routing";

    /// <summary>The cheapest deployment by catalog price.</summary>
    public const string CostBased = "cost-based-routing";
}
