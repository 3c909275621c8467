using System.Diagnostics.Metrics;

namespace LiteLlm.Gateway.Metrics;

/// <summary>The gateway's own instruments (meter <c>LiteLlm.Gateway</c>), next to the library's <c>LiteLlm</c> meter.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "LiteLlm.Gateway";

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        Requests = meter.CreateCounter<long>("litellm.gateway.requests", "{request}", "Inference requests by endpoint, model group and status.");
        InFlight = meter.CreateUpDownCounter<long>("litellm.gateway.in_flight_requests", "{request}", "Inference requests being served.");
    }

    public Counter<long> Requests { get; }

    public UpDownCounter<long> InFlight { get; }
}
