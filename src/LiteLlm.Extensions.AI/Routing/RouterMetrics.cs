using System.Diagnostics.Metrics;

namespace LiteLlm.Routing;

/// <summary>The router's own instruments on the "LiteLlm" meter: cooldowns and hedged requests (retries and fallbacks are counted from responses by the telemetry middleware).</summary>
internal static class RouterMetrics
{
    private static readonly Meter Meter = new("LiteLlm");

    public static readonly Counter<long> Cooldowns = Meter.CreateCounter<long>("litellm.router.cooldowns", description: "Deployments cooled down.");

    public static readonly Counter<long> Hedges = Meter.CreateCounter<long>("litellm.router.hedges", description: "Requests sent to a second deployment because the first was slow.");

    public static readonly Counter<long> NoDeployments = Meter.CreateCounter<long>("litellm.router.no_deployments", description: "Requests refused because no deployment of the group was available.");
}
