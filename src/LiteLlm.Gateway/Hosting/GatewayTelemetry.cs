using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LiteLlm.Gateway.Hosting;

/// <summary>
/// Exports traces and metrics over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: the GenAI semantic-convention
/// spans and metrics of Microsoft.Extensions.AI's OpenTelemetry client (every call through the pipeline), the
/// <c>LiteLlm</c> meters, ASP.NET Core's server spans and metrics, and the outgoing HTTP calls to providers.
/// The standard variables apply: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, the default, or <c>http/protobuf</c>),
/// <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c> (default <c>litellm-dotnet</c>).
/// </summary>
public static class GatewayTelemetry
{
    private static readonly string[] Sources = ["Experimental.Microsoft.Extensions.AI", "Microsoft.Extensions.AI", "LiteLlm*", "Microsoft.AspNetCore", "System.Net.Http"];
    private static readonly string[] Meters = ["Experimental.Microsoft.Extensions.AI", "Microsoft.Extensions.AI", "LiteLlm*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http"];

    /// <summary>Gets the OTLP endpoint <paramref name="environment"/> names, or null when exporting is off.</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <returns>The endpoint, or null.</returns>
    public static string? Endpoint(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint ? endpoint : null;
    }

    /// <summary>Registers OTLP export of traces and metrics when <paramref name="environment"/> names an endpoint; otherwise nothing.</summary>
    /// <param name="services">The gateway's services.</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/> in production).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddGatewayOpenTelemetry(this IServiceCollection services, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Endpoint(environment) is not { } endpoint)
        {
            return services;
        }

        var httpProtobuf = environment("OTEL_EXPORTER_OTLP_PROTOCOL") is "http/protobuf";
        var baseUri = new Uri(endpoint.TrimEnd('/') + "/");
        void Configure(OtlpExporterOptions o, string signal)
        {
            // Set in code (not read from the process environment) so that the function's own environment decides.
            // Over HTTP the generic endpoint gets the signal's path appended, as the OTLP specification says.
            o.Protocol = httpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            o.Endpoint = httpProtobuf ? new Uri(baseUri, "v1/" + signal) : new Uri(endpoint);
            if (environment("OTEL_EXPORTER_OTLP_HEADERS") is { Length: > 0 } headers)
            {
                o.Headers = headers;
            }
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(environment("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : "litellm-dotnet"))
            .WithTracing(t => t.AddSource(Sources).AddOtlpExporter(o => Configure(o, "traces")))
            .WithMetrics(m => m.AddMeter(Meters).AddOtlpExporter((o, reader) =>
            {
                Configure(o, "metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
                    int.TryParse(environment("OTEL_METRIC_EXPORT_INTERVAL"), out var ms) && ms > 0 ? ms : 60_000;
            }));
        return services;
    }
}
