using LiteLlm.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LiteLlm in a service collection: <c>services.AddLiteLlm(builder.Configuration.GetSection("LiteLlm"))</c>.</summary>
public static class LiteLlmServiceCollectionExtensions
{
    /// <summary>Registers LiteLlm from a configuration section shaped like LiteLLM's config.yaml.</summary>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, IConfiguration section)
        => services.AddLiteLlm(o => o.Configuration = section);

    /// <summary>Registers LiteLlm from a LiteLLM config.yaml file (model-list changes reload without a restart).</summary>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, string configFile)
        => services.AddLiteLlm(o => o.ConfigFile = configFile);

    /// <summary>
    /// Registers LiteLlm: the default <see cref="IChatClient"/> (the router behind telemetry, callbacks,
    /// budgets, cache and cost tracking), a keyed <see cref="IChatClient"/> per model group, the
    /// embedding generator, and <see cref="LiteLlmRuntime"/> (config, factory, catalog, router).
    /// The config is read now; its errors fail the host at start (<c>ValidateOnStart</c>) with their paths.
    /// </summary>
    /// <returns>The default client's builder: middleware added to it wraps the LiteLlm pipeline.</returns>
    public static ChatClientBuilder AddLiteLlm(this IServiceCollection services, Action<LiteLlmOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LiteLlmOptions();
        configure(options);
        var config = Load(options);

        services.AddOptions<LiteLlmOptions>().Configure(o => configure(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiteLlmOptions>>(new ConfigValidator(config)));
        if (options.ResponseCache ?? config.Litellm.Cache)
        {
            services.AddHybridCache();
            if (config.Litellm.CacheParams is { Type: "redis", RedisConfiguration: { } redis })
            {
                services.AddStackExchangeRedisCache(o => o.Configuration = redis);
            }
        }

        services.TryAddSingleton(sp => new LiteLlmRuntime(options, config, sp.GetService<ILoggerFactory>()));
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
                : new LiteLlmConfig { Errors = [$"The config file '{file}' does not exist."] };
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

    private sealed class ConfigValidator(LiteLlmConfig config) : IValidateOptions<LiteLlmOptions>
    {
        public ValidateOptionsResult Validate(string? name, LiteLlmOptions options)
        {
            var errors = options.Deployments.Count > 0
                ? config.Errors.Where(e => !e.StartsWith("model_list: missing", StringComparison.Ordinal)).ToList()
                : [.. config.Errors];
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => "LiteLlm config: " + e));
        }
    }
}
