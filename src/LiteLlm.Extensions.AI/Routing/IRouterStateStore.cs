namespace LiteLlm.Routing;

/// <summary>
/// Where the router keeps what several replicas must agree on: cooldowns, failure counts and
/// usage per minute. In memory by default; <see cref="RedisRouterStateStore"/> shares it.
/// </summary>
public interface IRouterStateStore
{
    /// <summary>Reads usage this minute and cooldowns of several deployments in one round trip.</summary>
    ValueTask<IReadOnlyList<DeploymentUsage>> GetAsync(IReadOnlyList<string> deploymentIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Counts a request and its tokens against this minute.</summary>
    ValueTask AddUsageAsync(string deploymentId, long requests, long tokens, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Counts a failure and returns the failures within the window that holds <paramref name="now"/>.</summary>
    ValueTask<long> AddFailureAsync(string deploymentId, TimeSpan window, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Cools a deployment down until <paramref name="until"/>.</summary>
    ValueTask CoolDownAsync(string deploymentId, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Records a latency sample of a deployment for adaptive hedging: time to first update for streams, to the answer
    /// otherwise. By default nothing is shared (each process uses its own samples).
    /// </summary>
    ValueTask AddLatencySampleAsync(string deploymentId, bool streaming, double milliseconds, CancellationToken cancellationToken)
        => ValueTask.CompletedTask;

    /// <summary>Reads the recent shared latency samples of deployments, or <see langword="null"/> when this store shares none.</summary>
    ValueTask<IReadOnlyList<double>?> GetLatencySamplesAsync(IReadOnlyList<string> deploymentIds, bool streaming, CancellationToken cancellationToken)
        => new((IReadOnlyList<double>?)null);
}

/// <summary>A deployment's shared state.</summary>
/// <param name="Requests">Requests this minute.</param>
/// <param name="Tokens">Tokens this minute.</param>
/// <param name="CooldownUntil">When its cooldown ends, or null when it is not cooling down.</param>
public readonly record struct DeploymentUsage(long Requests, long Tokens, DateTimeOffset? CooldownUntil);
