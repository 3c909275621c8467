namespace LiteLlm.Gateway.Auth;

/// <summary>
/// Which model groups a caller may call: the intersection of its key's, its team's, its team's organization's and its user's model lists (an empty
/// list, or one holding LiteLLM's <c>all-proxy-models</c>, allows every group). Admission and the model listings
/// (<c>/v1/models</c>, <c>/model/info</c>) both ask this one type, so what a key sees is what it may call.
/// </summary>
internal sealed record ModelAccess(IReadOnlyList<string> KeyModels, IReadOnlyList<string>? TeamModels, IReadOnlyList<string>? UserModels)
{
    /// <summary>LiteLLM's name for "every model on the proxy" in a key's, team's or user's model list.</summary>
    public const string AllProxyModels = "all-proxy-models";

    /// <summary>Gets the access of a caller bound by nothing (the master key, or a gateway without keys).</summary>
    public static ModelAccess Everything { get; } = new([], null, null);

    /// <summary>Gets the model list of the team's organization, or null when the caller's team is in none.</summary>
    public IReadOnlyList<string>? OrganizationModels { get; init; }

    /// <summary>Gets how a list names groups beyond their names (the router's access groups and wildcards), if known.</summary>
    public Func<IReadOnlyList<string>, string, bool>? Matcher { get; init; }

    /// <summary>Gets whether every list allows <paramref name="modelGroup"/>.</summary>
    public bool Allows(string modelGroup) => Allows(KeyModels, modelGroup) && Allows(TeamModels, modelGroup) && Allows(OrganizationModels, modelGroup) && Allows(UserModels, modelGroup);

    private bool Allows(IReadOnlyList<string>? models, string modelGroup)
        => ListAllows(models, modelGroup) || (Matcher is { } matcher && matcher(models!, modelGroup));

    /// <summary>Gets whether one model list allows <paramref name="modelGroup"/>.</summary>
    public static bool ListAllows(IReadOnlyList<string>? models, string modelGroup)
        => models is null || models.Count == 0
            || models.Contains(modelGroup, StringComparer.OrdinalIgnoreCase)
            || models.Contains(AllProxyModels, StringComparer.Ordinal);
}
