using LiteLlm.Errors;

namespace LiteLlm.Routing;

/// <summary>Model names: aliases, exact groups, wildcard groups, access groups and what a caller may list.</summary>
internal sealed partial class RouterCore
{
    /// <summary>The key <c>models</c> entries that allow every model (LiteLLM's special names).</summary>
    private static readonly HashSet<string> AllModels = new(StringComparer.OrdinalIgnoreCase) { "*", "all-proxy-models" };

    /// <summary>Maps an alias, group name or model a wildcard group serves to a model group, or throws an error listing the groups.</summary>
    public string ResolveGroup(string? requested)
    {
        if (requested is null)
        {
            return _groups.Count == 1 ? _groups.Keys[0]
                : throw new UnknownModelException(string.Empty, "No model was given. The router serves: " + string.Join(", ", _groups.Keys.Order(StringComparer.Ordinal)) + ".");
        }

        return TryResolveGroup(requested)
            ?? throw new UnknownModelException(requested, $"The router has no model group '{requested}'. It serves: "
                + string.Join(", ", _groups.Keys.Concat(_options.ModelGroupAlias.Keys).Order(StringComparer.Ordinal)) + ".");
    }

    /// <summary>LiteLLM's precedence: an alias, then the exact name, then the most specific wildcard pattern.</summary>
    public string? TryResolveGroup(string requested)
    {
        if (_options.ModelGroupAlias.TryGetValue(requested, out var aliased))
        {
            requested = aliased;
        }

        if (_groupKeys.TryGetValue(requested, out var key))
        {
            return key;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.IsMatch(requested))
            {
                return pattern.Pattern;
            }
        }

        return null;
    }

    /// <summary>The provider model a deployment serves the request's current model with: the deployment's own, or for a wildcard deployment the one the caller named.</summary>
    public string? ConcreteModel(DeploymentState deployment, RouterRequest request)
        => deployment.IsWildcard && _patternsByGroup.TryGetValue(request.CurrentGroup, out var pattern)
            ? pattern.Fill(deployment.Deployment.Model, request.CurrentModel)
            : null;

    /// <summary>Gets the access groups of the deployments (<c>model_info.access_groups</c>), each with its model groups.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AccessGroups { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Whether a caller allowed <paramref name="allowed"/> (a key's, team's or user's <c>models</c>) may call <paramref name="model"/>.</summary>
    public bool IsAllowed(IReadOnlyCollection<string> allowed, string model)
    {
        if (allowed.Count == 0)
        {
            return true;
        }

        var group = TryResolveGroup(model);
        foreach (var entry in allowed)
        {
            if (AllModels.Contains(entry) || string.Equals(entry, model, StringComparison.OrdinalIgnoreCase)
                || (group is not null && string.Equals(entry, group, StringComparison.OrdinalIgnoreCase))
                || (group is not null && AccessGroups.TryGetValue(entry, out var members) && members.Contains(group, StringComparer.OrdinalIgnoreCase))
                || (ModelPattern.IsPattern(entry) && ModelPattern.Of(entry).IsMatch(model)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The model names a caller sees: every group and alias, with each wildcard group shown as the catalog's chat models it
    /// serves (<c>openai/*</c> → <c>openai/gpt-4o</c>, ...), as LiteLLM's <c>/v1/models</c> does; <c>*</c> is listed as itself.
    /// </summary>
    public IEnumerable<string> ListModels()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in _groups.Keys.Concat(_options.ModelGroupAlias.Keys))
        {
            if (!ModelPattern.IsPattern(group) || group == "*")
            {
                names.Add(group);
                continue;
            }

            var pattern = _patternsByGroup[group];
            var before = names.Count;
            foreach (var info in _catalog.All())
            {
                if (info.Mode is null or "chat" && ListedName(info) is { } name && pattern.IsMatch(name))
                {
                    names.Add(name);
                }
            }

            if (names.Count == before)
            {
                names.Add(group); // nothing known to expand it to: show the route itself
            }
        }

        return names.Order(StringComparer.Ordinal);
    }

    private static string? ListedName(Models.ModelInfo info)
        => info.Name.Contains('/', StringComparison.Ordinal) ? info.Name : info.Provider + "/" + info.Name;

    private void IndexAccessGroups()
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var deployment in _options.Deployments)
        {
            foreach (var accessGroup in deployment.AccessGroups)
            {
                var members = result.TryGetValue(accessGroup, out var m) ? (List<string>)m : new List<string>();
                if (!members.Contains(deployment.ModelGroup, StringComparer.OrdinalIgnoreCase))
                {
                    members.Add(deployment.ModelGroup);
                }

                result[accessGroup] = members;
            }
        }

        AccessGroups = result;
    }
}
