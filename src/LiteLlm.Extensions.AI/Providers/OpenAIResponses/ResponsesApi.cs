using LiteLlm.Routing;

namespace LiteLlm.Providers.OpenAIResponses;

/// <summary>Which deployments are served over OpenAI's Responses API, where a caller's Responses request passes through unchanged.</summary>
public static class ResponsesApi
{
    /// <summary>The deployment setting (<c>litellm_params.use_responses_api</c>) that sends any OpenAI or Azure model over the Responses API.</summary>
    public const string UseResponsesApiSetting = "use_responses_api";

    /// <summary>
    /// Whether <paramref name="deployment"/> speaks the Responses API: an <c>openai/</c> or <c>azure/</c> model whose
    /// catalog mode is <c>responses</c>, or a deployment with <c>use_responses_api: true</c> (<c>false</c> opts out).
    /// </summary>
    /// <param name="deployment">A deployment of the router.</param>
    /// <returns><see langword="true"/> when its chat client is the Responses client.</returns>
    public static bool Serves(DeploymentState deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var model = deployment.Deployment.Model;
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        return deployment.Deployment.Client is null
            && Applies(slash > 0 ? model[..slash] : "openai", deployment.Deployment.Provider?.Settings, deployment.Info?.Mode);
    }

    /// <summary>The one rule, for a provider name, its deployment settings and the model's catalog mode.</summary>
    internal static bool Applies(string provider, IReadOnlyDictionary<string, object?>? settings, string? mode)
    {
        if (provider is not ("openai" or "azure"))
        {
            return false;
        }

        return settings is not null && settings.TryGetValue(UseResponsesApiSetting, out var setting)
            ? setting is true || (setting is string s && bool.TryParse(s, out var b) && b)
            : mode == "responses";
    }
}
