namespace LiteLlm.Providers.OpenAIResponses;

/// <summary>
/// Which deployments are served over OpenAI's Responses API, where a caller's Responses request passes through unchanged
/// (<see cref="Routing.DeploymentState.ServesResponsesApi"/> applies the rule to a router's deployment).
/// </summary>
public static class ResponsesApi
{
    /// <summary>The deployment setting (<c>litellm_params.use_responses_api</c>) that sends any OpenAI or Azure model over the Responses API.</summary>
    public const string UseResponsesApiSetting = "use_responses_api";

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
