using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LiteLlm.Observability;

/// <summary>The instruments of the <c>LiteLlm</c> meter (names follow OpenTelemetry's dotted style; durations in seconds).</summary>
internal sealed class LiteLlmMetrics
{
    public const string ModelGroupTag = "litellm.model_group";
    public const string ProviderTag = "litellm.provider";
    public const string OutcomeTag = "litellm.outcome";
    public const string CacheHitTag = "litellm.cache_hit";
    public const string TokenTypeTag = "litellm.token.type";
    public const string ErrorTypeTag = "error.type";

    public LiteLlmMetrics(Meter meter)
    {
        Requests = meter.CreateCounter<long>("litellm.requests", "{request}", "Requests by model group, provider and outcome.");
        Tokens = meter.CreateCounter<long>("litellm.tokens", "{token}", "Tokens by type: input, output, cached_input.");
        Cost = meter.CreateCounter<double>("litellm.cost", "USD", "Cost of the calls in US dollars.");
        CacheHits = meter.CreateCounter<long>("litellm.cache.hits", "{request}", "Requests answered from the response cache.");
        Retries = meter.CreateCounter<long>("litellm.retries", "{retry}", "Provider calls beyond the first, per request.");
        Fallbacks = meter.CreateCounter<long>("litellm.fallbacks", "{fallback}", "Fallback model groups tried.");
        Duration = meter.CreateHistogram<double>("litellm.request.duration", "s", "Time from request to complete response.");
        TimeToFirstToken = meter.CreateHistogram<double>("litellm.time_to_first_token", "s", "Time from request to the first streamed update.");
    }

    public Counter<long> Requests { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    public Counter<long> CacheHits { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Fallbacks { get; }

    public Histogram<double> Duration { get; }

    public Histogram<double> TimeToFirstToken { get; }

    public static TagList Tags(string? modelGroup, string? provider)
        => new() { { ModelGroupTag, modelGroup ?? "unknown" }, { ProviderTag, provider ?? "unknown" } };
}
