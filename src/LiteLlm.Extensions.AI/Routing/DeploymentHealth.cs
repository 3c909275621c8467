namespace LiteLlm.Routing;

/// <summary>A deployment's state as LiteLLM's <c>litellm_deployment_state</c> gauge reports it (the values are the gauge's).</summary>
public enum DeploymentHealth
{
    /// <summary>Its last call succeeded, or it has not failed yet (0).</summary>
    Healthy = 0,

    /// <summary>Its last call failed through the deployment's fault (a transient error, 429, 401, 404, time-out), and it is not cooling down (1).</summary>
    PartialOutage = 1,

    /// <summary>It is cooling down: the router sends it nothing until the cooldown ends (2).</summary>
    CompleteOutage = 2,
}

/// <summary>One deployment's health, as <see cref="LiteLlmRouter.GetDeploymentHealth"/> reports it.</summary>
/// <param name="ModelGroup">The model group the deployment serves.</param>
/// <param name="Deployment">The deployment and its live state.</param>
/// <param name="Health">Its health now.</param>
public readonly record struct DeploymentHealthReport(string ModelGroup, DeploymentState Deployment, DeploymentHealth Health);
