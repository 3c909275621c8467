using System.Net;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Endpoints;
using LiteLlm.Gateway.Metrics;
using LiteLlm.Gateway.Spend;
using LiteLlm.Gateway.Storage;
using LiteLlm.Gateway.Ui;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LiteLlm.Gateway.Hosting;

/// <summary>Builds the gateway: the same registration serves <c>Program</c> and the tests.</summary>
public static class GatewayApp
{
    /// <summary>Creates the web application for <paramref name="options"/>; <paramref name="configure"/> may add services (a real gate, spend sink, readiness checks).</summary>
    public static WebApplication Create(GatewayOptions options, Action<WebApplicationBuilder>? configure = null, LiteLlmConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        config ??= GatewayPipeline.LoadConfig(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(options.DetailedDebug ? LogLevel.Debug : LogLevel.Information);
        if (!options.DetailedDebug)
        {
            // One line per request is the access log's job, not the gateway's; keep startup and errors.
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

            // ASP.NET Core starts an Activity for every request whenever this category logs at all (to put trace ids in
            // log scopes), and HttpClient then starts a child for the provider call: ~1 KB and two AsyncLocal changes
            // per request that nothing reads. It only logs request start/finish (Information), which is filtered anyway.
            // An ActivityListener (an OpenTelemetry tracer) still gets both activities.
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        }
        builder.Services.AddGatewayAuthAndSpend(Auth.GatewayAuthServiceCollectionExtensions.FromConfig(config));
        builder.Services.AddDatabaseModels(options, config); // before the pipeline: it hooks the router the pipeline builds
        builder.Services.AddLiteLlmGateway(options, config);
        builder.Services.AddGatewayUi(config); // the admin UI at /ui: only with a master key, unless general_settings.ui is false
        builder.WebHost.UseUrls(Url(options.Host, options.Port));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.AddGatewayOpenTelemetry(Environment.GetEnvironmentVariable);
        configure?.Invoke(builder);
        builder.Services.AddLiteLlmProxyMetrics(); // after configure: it wraps the spend sink the host ended up with
        var app = builder.Build();
        app.UseLiteLlmGateway();
        app.MapLiteLlmGateway();
        return app;
    }

    /// <summary>Registers the pipeline, the default seams (open gate, null spend sink) and the gateway's services.</summary>
    public static IServiceCollection AddLiteLlmGateway(this IServiceCollection services, GatewayOptions options, LiteLlmConfig config)
    {
        ArgumentNullException.ThrowIfNull(options);
        GatewayPipeline.AddPipeline(services, options, config);
        services.AddSingleton(options);
        services.TryAddSingleton<IRequestGate, OpenGate>();
        services.TryAddSingleton<ISpendSink, NullSpendSink>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<InferenceService>();
        services.AddResponseStore(config);
        services.AddHostedService<GatewayBanner>();
        return services;
    }

    /// <summary>The middleware in front of every endpoint: call id, allowed IPs, a last-resort OpenAI-shaped 500.</summary>
    public static IApplicationBuilder UseLiteLlmGateway(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.ApplicationServices.GetRequiredService<GatewayOptions>();
        _ = app.ApplicationServices.GetRequiredService<PrometheusExporter>(); // listen from the start
        var allowed = IpAllowList.Parse(options.AllowedIps);
        app.Use(async (context, next) =>
        {
            var state = GatewayRequestState.Create(context);
            context.Response.Headers[GatewayHeaders.CallId] = state.Id;
            if (!allowed.Allows(context.Connection.RemoteIpAddress))
            {
                await GatewayErrors.WriteAsync(context, new GatewayError(403, "Your IP address is not allowed to call this gateway.", "permission_error", "ip_not_allowed")).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                await GatewayErrors.WriteAsync(context, GatewayErrors.FromException(e)).ConfigureAwait(false);
            }
        });
        return app;
    }

    /// <summary>Maps every endpoint with and without the <c>/v1</c> prefix.</summary>
    public static IEndpointRouteBuilder MapLiteLlmGateway(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<Auth.KeyGate>() is not null)
        {
            Admin.AdminEndpoints.Map(endpoints);
        }

        if (endpoints.ServiceProvider.GetService<Ui.UiApi>() is not null)
        {
            Ui.UiEndpoints.Map(endpoints);
        }

        Both(endpoints, "POST", "/chat/completions", ChatEndpoints.ChatCompletionsAsync);
        Both(endpoints, "POST", "/completions", ChatEndpoints.CompletionsAsync);
        Both(endpoints, "POST", "/embeddings", EmbeddingEndpoints.EmbeddingsAsync);
        Both(endpoints, "GET", "/models", InfoEndpoints.ModelsAsync);
        Both(endpoints, "GET", "/model/info", InfoEndpoints.ModelInfoAsync);
        Both(endpoints, "GET", "/model_group/info", InfoEndpoints.ModelGroupInfoAsync);
        Both(endpoints, "POST", "/messages", MessagesEndpoints.MessagesAsync);
        Both(endpoints, "POST", "/messages/count_tokens", MessagesEndpoints.CountTokensAsync);
        ResponsesEndpoints.Map(endpoints);
        endpoints.MapMethods("/health", ["GET"], InfoEndpoints.HealthAsync);
        endpoints.MapMethods("/health/liveliness", ["GET"], InfoEndpoints.LivelinessAsync);
        endpoints.MapMethods("/health/liveness", ["GET"], InfoEndpoints.LivelinessAsync);
        endpoints.MapMethods("/health/readiness", ["GET"], InfoEndpoints.ReadinessAsync);
        endpoints.MapMethods("/metrics", ["GET"], InfoEndpoints.MetricsAsync);
        endpoints.MapFallback(context => GatewayErrors.WriteAsync(context,
            new GatewayError(404, $"No route for {context.Request.Method} {context.Request.Path}.", "invalid_request_error", "not_found")));
        return endpoints;
    }

    private static void Both(IEndpointRouteBuilder endpoints, string method, string path, RequestDelegate handler)
    {
        endpoints.MapMethods(path, [method], handler);
        endpoints.MapMethods("/v1" + path, [method], handler);
    }

    private static string Url(string host, int port)
    {
        var h = host switch
        {
            "0.0.0.0" or "*" or "+" => "0.0.0.0",
            _ when IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => "[" + host + "]",
            _ => host,
        };
        return "http://" + h + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary><c>allowed_ips</c>: addresses and CIDR ranges; empty allows everyone.</summary>
internal sealed class IpAllowList
{
    private readonly List<IPNetwork> _networks;

    private IpAllowList(List<IPNetwork> networks) => _networks = networks;

    public static IpAllowList Parse(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            var text = entry.Trim();
            if (IPNetwork.TryParse(text, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(text, out var ip))
            {
                networks.Add(new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new InvalidOperationException($"allowed_ips: '{entry}' is neither an IP address nor a CIDR range.");
            }
        }

        return new IpAllowList(networks);
    }

    public bool Allows(IPAddress? address)
    {
        if (_networks.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        var v4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _networks.Exists(n => n.Contains(v4) || n.Contains(address));
    }
}
