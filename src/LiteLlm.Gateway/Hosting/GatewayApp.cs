using System.Net;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Endpoints;
using LiteLlm.Gateway.OpenAI;
using LiteLlm.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LiteLlm.Gateway.Hosting;

/// <summary>Builds the gateway: Kestrel, the LiteLlm pipeline from the config, the gate, the endpoints.</summary>
public static class GatewayApp
{
    /// <summary>Builds (does not start) the gateway.</summary>
    /// <param name="options">The flags.</param>
    /// <param name="configureServices">Adds or replaces services (auth and spend stores, test doubles).</param>
    public static WebApplication Build(GatewayOptions options, Action<IServiceCollection, LiteLlmConfig>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = LoadConfig(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(options.DetailedDebug ? LogLevel.Debug : LogLevel.Warning);
        var maxBody = options.MaxRequestBodyBytes ?? (long)((config.General.MaxRequestSizeMb ?? 16) * 1024 * 1024);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = maxBody;
            k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            if (IPAddress.TryParse(options.Host, out var address))
            {
                k.Listen(address, options.Port);
            }
            else
            {
                k.ListenAnyIP(options.Port);
            }
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddLiteLlm(o =>
        {
            o.Config = config;
            o.ConfigFile = options.ConfigFile; // model-list changes reload without a restart
            o.HttpMessageHandler = options.UpstreamHandler;
            foreach (var deployment in options.ExtraDeployments)
            {
                o.Deployments.Add(deployment);
            }
        });
        builder.Services.TryAddSingleton<IRequestGate, OpenGate>();
        builder.Services.TryAddSingleton<ISpendSink, NullSpendSink>();
        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        builder.Services.AddSingleton<EmbeddingsEndpoint>();
        builder.Services.AddSingleton<ModelsEndpoints>();
        builder.Services.AddSingleton<HealthEndpoints>();
        configureServices?.Invoke(builder.Services, config);

        var app = builder.Build();
        foreach (var warning in config.Warnings)
        {
            app.Logger.LogWarning("config: {Warning}", warning);
        }

        if (config.General.AllowedIps.Count > 0)
        {
            var allowed = config.General.AllowedIps.Select(IPAddress.Parse).ToHashSet();
            app.Use(async (context, next) =>
            {
                var remote = context.Connection.RemoteIpAddress;
                if (remote is not null && !allowed.Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote))
                {
                    await OpenAIError.WriteAsync(context, new GatewayError(403, "Your IP address is not allowed to call this gateway.", "permission_error", "ip_not_allowed"));
                    return;
                }

                await next(context);
            });
        }

        MapEndpoints(app);
        return app;
    }

    private static void MapEndpoints(WebApplication app)
    {
        foreach (var prefix in new[] { string.Empty, "/v1" })
        {
            app.MapPost(prefix + "/chat/completions", (HttpContext c, ChatCompletionsEndpoint e) => e.HandleAsync(c));
            app.MapPost(prefix + "/embeddings", (HttpContext c, EmbeddingsEndpoint e) => e.HandleAsync(c));
            app.MapGet(prefix + "/models", (HttpContext c, ModelsEndpoints e) => e.ModelsAsync(c));
            app.MapGet(prefix + "/model/info", (HttpContext c, ModelsEndpoints e) => e.ModelInfoAsync(c));
        }

        app.MapGet("/health/liveliness", HealthEndpoints.Liveliness);
        app.MapGet("/health/liveness", HealthEndpoints.Liveliness);
        app.MapGet("/health/readiness", (HttpContext c, HealthEndpoints e) => e.ReadinessAsync(c));
        app.MapGet("/health", (HttpContext c, HealthEndpoints e) => e.DeploymentsAsync(c));

        // Anything else is a 404 in OpenAI's shape, not an empty body.
        app.MapFallback((HttpContext c) => OpenAIError.WriteAsync(c, new GatewayError(404, $"No route for {c.Request.Method} {c.Request.Path}.", "invalid_request_error", "not_found")));
    }

    /// <summary>Reads --config, or builds the one-model quick config, or the embedded offline defaults.</summary>
    public static LiteLlmConfig LoadConfig(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConfigFile is { } file)
        {
            var config = File.Exists(file)
                ? LiteLlmConfigLoader.LoadYamlFile(file)
                : throw new FileNotFoundException($"The config file '{file}' does not exist.", file);
            return config.Errors.Count == 0 ? config
                : throw new InvalidOperationException("The config has errors:\n  " + string.Join("\n  ", config.Errors));
        }

        if (options.Model is { } model)
        {
            return new LiteLlmConfig { ModelList = [new Deployment { ModelGroup = model, Model = model }] };
        }

        return DefaultConfig();
    }

    /// <summary>
    /// The embedded defaults: works offline through the mock provider, and serves the real model of a
    /// group when its provider's key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY).
    /// </summary>
    internal static LiteLlmConfig DefaultConfig()
    {
        Deployment Group(string name, string real, string keyVariable) => Environment.GetEnvironmentVariable(keyVariable) is { Length: > 0 }
            ? new Deployment { ModelGroup = name, Model = real }
            : new Deployment
            {
                ModelGroup = name,
                Model = "mock/" + name,
                Provider = new Providers.ProviderOptions { Settings = new Dictionary<string, object?> { ["mock_response"] = $"Hello from the offline {name} mock. Set {keyVariable} to reach the real model." } },
            };

        return new LiteLlmConfig
        {
            ModelList =
            [
                Group("gpt-4o-mini", "openai/gpt-4o-mini", "OPENAI_API_KEY"),
                Group("claude-3-5-haiku", "anthropic/claude-3-5-haiku-20241022", "ANTHROPIC_API_KEY"),
                new Deployment { ModelGroup = "mock", Model = "mock/mock" },
                new Deployment { ModelGroup = "text-embedding-3-small", Model = "mock/text-embedding-3-small" },
            ],
        };
    }
}
