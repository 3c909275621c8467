namespace LiteLlm.Routing.Strategies;

/// <summary>Random pick weighted by weight, else rpm, else tpm, else evenly.</summary>
internal sealed class SimpleShuffleStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.SimpleShuffle;

    public DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates)
    {
        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        double total = 0;
        foreach (var c in candidates)
        {
            total += WeightOf(c);
        }

#pragma warning disable CA5394 // load balancing, not security
        var point = Random.Shared.NextDouble() * total;
#pragma warning restore CA5394
        foreach (var c in candidates)
        {
            point -= WeightOf(c);
            if (point < 0)
            {
                return c;
            }
        }

        return candidates[^1];
    }

    private static double WeightOf(DeploymentState state)
        => Math.Max(0, state.Deployment.Weight ?? state.Deployment.Rpm ?? state.Deployment.Tpm ?? 1);
}

/// <summary>Fewest calls in flight; ties broken at random.</summary>
internal sealed class LeastBusyStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LeastBusy;

    public DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates)
        => StrategyHelpers.Lowest(candidates, c => c.InFlight);
}

/// <summary>Fewest tokens this minute (LiteLLM's lowest-tpm); ties broken at random.</summary>
internal sealed class UsageBasedStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.UsageBased;

    public DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates)
        => StrategyHelpers.Lowest(candidates, c => c.TokensThisMinute);
}

/// <summary>Lowest moving-average latency; deployments without a sample yet are tried first.</summary>
internal sealed class LatencyBasedStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.LatencyBased;

    public DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates)
        => StrategyHelpers.Lowest(candidates, c =>
            (request.IsStreaming ? c.AverageTimeToFirstToken ?? c.AverageLatency : c.AverageLatency)?.TotalMilliseconds ?? -1);
}

/// <summary>Cheapest by catalog price; an unknown price counts as $1 a token (LiteLLM's rule).</summary>
internal sealed class CostBasedStrategy : IRoutingStrategy
{
    public string Name => RoutingStrategies.CostBased;

    public DeploymentState Pick(RoutingRequest request, IReadOnlyList<DeploymentState> candidates)
        => StrategyHelpers.Lowest(candidates, c => (double)(c.CostPerToken ?? 1m));
}

internal static class StrategyHelpers
{
    public static DeploymentState Lowest(IReadOnlyList<DeploymentState> candidates, Func<DeploymentState, double> score)
    {
        DeploymentState? best = null;
        var bestScore = double.MaxValue;
        var ties = 0;
        foreach (var c in candidates)
        {
            var s = score(c);
            if (s < bestScore)
            {
                best = c;
                bestScore = s;
                ties = 1;
            }
#pragma warning disable CA5394 // load balancing, not security
            else if (s == bestScore && Random.Shared.Next(++ties) == 0)
#pragma warning restore CA5394
            {
                best = c; // reservoir sampling: each tied deployment equally likely
            }
        }

        return best!;
    }
}
