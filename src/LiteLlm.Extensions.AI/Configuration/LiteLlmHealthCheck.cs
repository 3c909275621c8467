using LiteLlm.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiteLlm.Configuration;

/// <summary>
/// A model group's health from the router's own state, without calling a provider: healthy while a deployment of the
/// group is healthy, degraded while every deployment has failed but one still takes calls, unhealthy while all are cooling
/// down (or the group has none).
/// </summary>
internal sealed class LiteLlmHealthCheck(LiteLlmRuntime runtime, string modelGroup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = runtime.Router.GetDeploymentHealth().Where(r => string.Equals(r.ModelGroup, modelGroup, StringComparison.OrdinalIgnoreCase)).ToList();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["deployments"] = states.Count,
            ["cooling_down"] = states.Count(s => s.Health == DeploymentHealth.CompleteOutage),
        };
        var result = states.Count == 0 ? HealthCheckResult.Unhealthy($"The model group '{modelGroup}' has no deployments.", data: data)
            : states.Any(s => s.Health == DeploymentHealth.Healthy) ? HealthCheckResult.Healthy($"'{modelGroup}' has a healthy deployment.", data)
            : states.Any(s => s.Health == DeploymentHealth.PartialOutage) ? HealthCheckResult.Degraded($"Every deployment of '{modelGroup}' failed its last call.", data: data)
            : HealthCheckResult.Unhealthy($"Every deployment of '{modelGroup}' is cooling down.", data: data);
        return Task.FromResult(result);
    }
}
