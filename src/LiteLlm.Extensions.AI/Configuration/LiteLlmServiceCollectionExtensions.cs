using LiteLlm.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LiteLlm in a service collection: <c>services.AddLiteLlm(builder.Configuration.GetSection("LiteLlm"))</c>.</summary>
public static class LiteLlmServiceCollectionExtensions
{
    /// <summary>Registers LiteLlm from a configuration section shaped like LiteLLM's config.yaml.</summary>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, IConfiguration section)
        => services.AddLiteLlm(o => o.Configuration = section);

    /// <summary>
    /// Registers LiteLlm from a LiteLLM config.yaml file (model-list changes reload without a restart). A relative path is
    /// relative to the host's content root when a host registered one, else to the working directory.
    /// </summary>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, string configFile)
        => services.AddLiteLlm(o => o.ConfigFile = configFile);

    /// <summary>
    /// Registers LiteLlm: the default <see cref="IChatClient"/> (the router behind telemetry, callbacks,
    /// budgets, cache and cost tracking), a keyed <see cref="IChatClient"/> per model group, the
    /// embedding generator, and <see cref="LiteLlmRuntime"/> (config, factory, catalog, router).
    /// The config is read now. At host start (<c>ValidateOnStart</c>), or without a host when the pipeline is first
    /// resolved, the configuration is checked and every problem named with its place: the config's own errors, a missing
    /// config file, a deployment whose provider is unknown, a fallback, default fallback or alias naming no model group.
    /// The config's warnings (unknown keys, with their paths) are logged through <see cref="ILogger"/> once.
    /// </summary>
    /// <returns>The default client's builder: middleware added to it wraps the LiteLlm pipeline.</returns>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, Action<LiteLlmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LiteLlmOptions();
        configure(options);
        if (options.ConfigFile is { } configFile && !Path.IsPathRooted(configFile) && ContentRoot(services) is { } contentRoot)
        {
            options.ConfigFile = Path.GetFullPath(Path.Combine(contentRoot, configFile));
        }

        var config = Load(options);
        var checks = new LiteLlmStartupChecks(config, options, options.Config is not null ? null : options.ConfigFile ?? options.Configuration switch
        {
            IConfigurationSection section => section.Path,
            _ => null,
        });

        services.AddOptions<LiteLlmOptions>().Configure(o => configure(o)).ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(LiteLlmRuntime)))
        {
            // The first AddLiteLlm's runtime is the one registered (TryAdd), so its config is the one checked.
            services.AddSingleton<IValidateOptions<LiteLlmOptions>>(sp => new StartupValidator(checks, sp.GetService<ILoggerFactory>()));
        }

        if (options.ResponseCache ?? config.Litellm.Cache)
        {
            services.AddHybridCache();
            if (config.Litellm.CacheParams is { Type: "redis", RedisConfiguration: { } redis })
            {
                services.AddStackExchangeRedisCache(o => o.Configuration = redis);
            }
        }

        services.TryAddSingleton(sp =>
        {
            // Without a host nothing validates at start: the first resolve checks instead, before any request.
            var loggerFactory = sp.GetService<ILoggerFactory>();
            checks.LogWarnings(loggerFactory);
            checks.ThrowIfInvalid();
            return new LiteLlmRuntime(options, config, loggerFactory);
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<LiteLlmRuntime>().Factory);
        services.TryAddSingleton(sp => sp.GetRequiredService<LiteLlmRuntime>().Catalog);
        services.AddEmbeddingGenerator(sp => sp.GetRequiredService<LiteLlmRuntime>().EmbeddingGenerator);

        // One keyed client per model group known at start, each the default pipeline with its group fixed.
        foreach (var group in config.ModelList.Select(d => d.ModelGroup).Concat(options.Deployments.Select(d => d.ModelGroup))
            .Concat(config.Router.ModelGroupAlias.Keys).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            services.AddKeyedChatClient(group, sp => sp.GetRequiredService<IChatClient>()).ConfigureOptions(o => o.ModelId ??= group);
        }

        return services.AddChatClient(sp => sp.GetRequiredService<LiteLlmRuntime>().BuildPipeline(sp));
    }

    private static LiteLlmConfig Load(LiteLlmOptions options)
    {
        if (options.Config is { } given)
        {
            return given;
        }

        if (options.ConfigFile is { } file)
        {
            return File.Exists(file)
                ? LiteLlmConfigLoader.LoadYamlFile(file)
                : new LiteLlmConfig { Errors = [$"The config file '{Path.GetFullPath(file)}' does not exist."] };
        }

        if (options.Configuration is { } section)
        {
            var config = LiteLlmConfigLoader.FromConfiguration(section);
            return config.Errors.Count > 0 && config.ModelList.Count == 0 && options.Deployments.Count > 0
                ? new LiteLlmConfig { Warnings = config.Warnings } // deployments come from code
                : config;
        }

        return new LiteLlmConfig { Errors = options.Deployments.Count > 0 ? [] : ["No LiteLlm config: give a config file, a configuration section, or deployments."] };
    }

    /// <summary>The content root of a host that registered its environment (HostApplicationBuilder, WebApplicationBuilder).</summary>
    private static string? ContentRoot(IServiceCollection services)
        => services.LastOrDefault(d => d.ServiceType == typeof(IHostEnvironment))?.ImplementationInstance is IHostEnvironment environment
            ? environment.ContentRootPath
            : null;

    private sealed class StartupValidator(LiteLlmStartupChecks checks, ILoggerFactory? loggerFactory) : IValidateOptions<LiteLlmOptions>
    {
        public ValidateOptionsResult Validate(string? name, LiteLlmOptions options)
        {
            checks.LogWarnings(loggerFactory);
            var errors = checks.Errors();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "LiteLlm config: " + e));
        }
    }
}
