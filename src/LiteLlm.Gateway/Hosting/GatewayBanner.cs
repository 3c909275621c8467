using System.Globalization;
using System.Net;
using System.Text;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Auth;
using LiteLlm.Gateway.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// Says at start what is being served, once the server listens: the URLs, each model group and its deployments'
/// models, the database, the cache, shared state, whether keys are required, and telemetry. Never a secret: database
/// and Redis settings are reduced to host and database name. Warns when the gateway is open (no master key) on an
/// address other machines can reach.
/// </summary>
internal sealed partial class GatewayBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    GatewayOptions options,
    LiteLlmRuntime runtime,
    ILogger<GatewayBanner> logger) : IHostedService
{
    private const int MaxGroupsShown = 20;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Hosted services start before the server binds; the addresses are known once the application has started.
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
            LogBanner(logger, Describe(options, runtime.Config, addresses, runtime.Router.ModelGroups.ToDictionary(
                g => g, g => (IReadOnlyList<string>)[.. runtime.Router.DeploymentsOf(g).Select(d => d.Deployment.Model).Distinct(StringComparer.Ordinal)])));
            if (string.IsNullOrEmpty(runtime.Config.General.MasterKey) && !IsLoopback(options.Host))
            {
                LogOpenGateway(logger, string.Join(", ", addresses));
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The banner's text for <paramref name="config"/> served on <paramref name="addresses"/>.</summary>
    internal static string Describe(GatewayOptions options, LiteLlmConfig config, IReadOnlyList<string> addresses, IReadOnlyDictionary<string, IReadOnlyList<string>> groups)
    {
        var auth = GatewayAuthServiceCollectionExtensions.FromConfig(config);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"LiteLlm gateway listening on {(addresses.Count > 0 ? string.Join(", ", addresses) : $"{options.Host}:{options.Port}")}");
        text.Append(CultureInfo.InvariantCulture, $"\n  models ({groups.Count}): ");
        text.AppendJoin(", ", groups.OrderBy(g => g.Key, StringComparer.Ordinal).Take(MaxGroupsShown).Select(g => $"{g.Key} → {string.Join(" | ", g.Value)}"));
        if (groups.Count > MaxGroupsShown)
        {
            text.Append(CultureInfo.InvariantCulture, $", … and {groups.Count - MaxGroupsShown} more (GET /v1/models)");
        }

        var keys = !string.IsNullOrEmpty(auth.MasterKey);
        text.Append("\n  auth: ").Append(keys ? "on (master key and virtual keys required)" : "OFF (no general_settings.master_key: anyone who reaches the port can call)");
        text.Append("\n  database: ").Append(!keys ? "none (keys and spend records need a master key)"
            : string.IsNullOrWhiteSpace(auth.DatabaseUrl) ? "SQLite " + Path.GetFullPath(auth.SqlitePath)
            : "PostgreSQL " + PostgresWhere(auth.DatabaseUrl));
        text.Append("\n  cache: ").Append(!config.Litellm.Cache ? "off"
            : config.Litellm.CacheParams is { Type: "redis", RedisConfiguration: { } cacheRedis } ? "Redis " + RedisWhere(cacheRedis) : "in memory");
        text.Append("\n  shared state (limits, budgets, cooldowns): ").Append(config.Router.RedisConfiguration is { } redis ? "Redis " + RedisWhere(redis) : "this process only");
        text.Append("\n  metrics: GET /metrics; OTLP: ").Append(GatewayTelemetry.Endpoint(Environment.GetEnvironmentVariable) ?? "off (set OTEL_EXPORTER_OTLP_ENDPOINT)");
        return text.ToString();
    }

    internal static bool IsLoopback(string host)
        => host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static string PostgresWhere(string databaseUrl)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(SqlGatewayStore.ToNpgsqlConnectionString(databaseUrl));
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "(database_url set)";
        }
    }

    /// <summary>The endpoint part of a StackExchange.Redis configuration (<c>host:port,password=…</c>) or a redis:// URL.</summary>
    private static string RedisWhere(string configuration)
        => (configuration.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || configuration.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            && Uri.TryCreate(configuration, UriKind.Absolute, out var uri)
            ? $"{uri.Host}:{(uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port)}"
            : configuration.Split(',')[0].Trim();

    [LoggerMessage(1, LogLevel.Information, "{Banner}")]
    private static partial void LogBanner(ILogger logger, string banner);

    [LoggerMessage(2, LogLevel.Warning, "The gateway serves without a master key on {Addresses}, which other machines may reach: anyone who can connect can call every model on your provider keys. Set general_settings.master_key, or listen on 127.0.0.1 (--host).")]
    private static partial void LogOpenGateway(ILogger logger, string addresses);
}
