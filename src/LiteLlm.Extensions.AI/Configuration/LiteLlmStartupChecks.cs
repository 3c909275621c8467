using LiteLlm.Errors;
using LiteLlm.Models;
using LiteLlm.Routing;
using Microsoft.Extensions.Logging;

namespace LiteLlm.Configuration;

/// <summary>
/// What <c>AddLiteLlm</c> checks before the first request, so that a typo stops the host at start with the place named
/// instead of failing every request later: the config's own errors, every deployment's provider, and every fallback,
/// default fallback and alias naming a model group that exists. The config's warnings (unknown keys) are logged once.
/// </summary>
internal sealed partial class LiteLlmStartupChecks
{
    private readonly LiteLlmConfig _config;
    private readonly LiteLlmOptions _options;
    private readonly string? _source;
    private int _warningsLogged;

    /// <param name="config">The loaded config.</param>
    /// <param name="options">The options (code deployments, router overrides).</param>
    /// <param name="source">Where the config came from (a file, a configuration section's path), prefixed to warnings.</param>
    public LiteLlmStartupChecks(LiteLlmConfig config, LiteLlmOptions options, string? source)
    {
        _config = config;
        _options = options;
        _source = source;
    }

    /// <summary>Gets every reason the configuration cannot serve, each naming its place.</summary>
    public IReadOnlyList<string> Errors()
    {
        // Code deployments make an absent model_list fine.
        var errors = _options.Deployments.Count > 0
            ? _config.Errors.Where(e => !e.StartsWith("model_list: missing", StringComparison.Ordinal)).ToList()
            : [.. _config.Errors];
        if (errors.Count > 0)
        {
            return errors; // the router options would be built from a config known to be wrong
        }

        var router = _config.ToRouterOptions(_options.TimeProvider);
        foreach (var deployment in _options.Deployments)
        {
            router.Deployments.Add(deployment);
        }

        _options.ConfigureRouter?.Invoke(router);
        CheckProviders(router, errors);
        CheckGroupReferences(router, errors);
        return errors;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> listing every error (the check without a host).</summary>
    public void ThrowIfInvalid()
    {
        if (Errors() is { Count: > 0 } errors)
        {
            throw new InvalidOperationException("The LiteLlm configuration cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        }
    }

    /// <summary>Logs the config's warnings (unknown keys, ignored sections) once, however many times it is asked.</summary>
    public void LogWarnings(ILoggerFactory? loggerFactory)
    {
        if (loggerFactory is null || _config.Warnings.Count == 0 || Interlocked.Exchange(ref _warningsLogged, 1) == 1)
        {
            return;
        }

        var logger = loggerFactory.CreateLogger("LiteLlm.Configuration");
        foreach (var warning in _config.Warnings)
        {
            LogConfigWarning(logger, _source is null ? warning : $"{_source}: {warning}");
        }
    }

    private void CheckProviders(RouterOptions router, List<string> errors)
    {
        var catalog = new ModelCatalog();
        foreach (var model in _config.ModelOverrides)
        {
            catalog.Register(model);
        }

        var resolver = new Providers.ModelResolver(Providers.ProviderRegistry.Default, catalog);
        for (var i = 0; i < router.Deployments.Count; i++)
        {
            var deployment = router.Deployments[i];
            if (deployment.Client is not null)
            {
                continue; // a ready client needs no provider
            }

            try
            {
                resolver.Resolve(deployment.Model);
            }
            catch (UnknownModelException e)
            {
                errors.Add($"{DeploymentPath(i)} ('{deployment.ModelGroup}'): {e.Message}");
            }
        }
    }

    private void CheckGroupReferences(RouterOptions router, List<string> errors)
    {
        var groups = router.Deployments.Select(d => d.ModelGroup).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var served = string.Join(", ", groups.Order(StringComparer.Ordinal));
        bool Known(string name) => groups.Contains(name) || router.ModelGroupAlias.ContainsKey(name);
        void Check(string path, string name, string what)
        {
            if (!Known(name))
            {
                errors.Add($"{path}: '{name}' {what} is not a model group. The model groups are: {served}.");
            }
        }

        foreach (var (name, map) in new[]
        {
            ("fallbacks", router.Fallbacks),
            ("context_window_fallbacks", router.ContextWindowFallbacks),
            ("content_policy_fallbacks", router.ContentPolicyFallbacks),
        })
        {
            var path = SettingPath(name);
            foreach (var (group, targets) in map)
            {
                Check($"{path}[{group}]", group, "(the group that falls back)");
                foreach (var target in targets)
                {
                    Check($"{path}[{group}]", target, "(a fallback target)");
                }
            }
        }

        foreach (var target in router.DefaultFallbacks)
        {
            Check(SettingPath("default_fallbacks"), target, "(a default fallback)");
        }

        foreach (var (alias, group) in router.ModelGroupAlias)
        {
            if (!groups.Contains(group))
            {
                errors.Add($"router_settings.model_group_alias[{alias}]: '{group}' is not a model group. The model groups are: {served}.");
            }
        }
    }

    private string DeploymentPath(int index) => index < _config.ModelList.Count
        ? $"model_list[{index}].litellm_params.model"
        : $"LiteLlmOptions.Deployments[{index - _config.ModelList.Count}].Model";

    /// <summary>LiteLLM accepts fallbacks in router_settings or litellm_settings; router_settings wins when both are set.</summary>
    private string SettingPath(string name)
    {
        var inRouter = name switch
        {
            "fallbacks" => _config.Router.Fallbacks.Count > 0,
            "context_window_fallbacks" => _config.Router.ContextWindowFallbacks.Count > 0,
            "content_policy_fallbacks" => _config.Router.ContentPolicyFallbacks.Count > 0,
            _ => _config.Router.DefaultFallbacks.Count > 0,
        };
        return (inRouter ? "router_settings." : "litellm_settings.") + name;
    }

    [LoggerMessage(1, LogLevel.Warning, "LiteLlm config: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);
}
