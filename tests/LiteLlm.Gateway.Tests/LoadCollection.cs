namespace LiteLlm.Gateway.Tests;

/// <summary>
/// Tests that put real load on the machine (hundreds of concurrent requests, two gateways with PostgreSQL and Redis,
/// timing-sensitive disconnects) run one after another, not beside each other on the 2 cores.
/// </summary>
[CollectionDefinition("Gateway load", DisableParallelization = true)]
public sealed class LoadCollection;
