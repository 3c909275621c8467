using System.Diagnostics;
using System.Diagnostics.Metrics;
using LiteLlm.Configuration;
using LiteLlm.Gateway.Spend;

namespace LiteLlm.Gateway.Metrics;

/// <summary>
/// LiteLLM's own Prometheus metric names and labels (its proxy's <c>prometheus</c> callback), beside ours, so that
/// dashboards and alerts written for LiteLLM (its published Grafana dashboard queries <c>litellm_spend_metric_total</c>,
/// <c>litellm_total_tokens_total</c>, <c>litellm_request_total_latency_metric_bucket</c>, …) work unchanged.
/// Fed from the spend record every request that reached the pipeline leaves, so a metric and the spend log agree.
/// </summary>
internal sealed class LiteLlmProxyMetrics
{
    /// <summary>The meter; <see cref="PrometheusExporter"/> exports its instruments under their names as given.</summary>
    public const string MeterName = "LiteLlm.Gateway.LiteLLM";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _proxyRequests;
    private readonly Counter<long> _failedRequests;
    private readonly Counter<double> _spend;
    private readonly Counter<long> _totalTokens;
    private readonly Counter<long> _inputTokens;
    private readonly Counter<long> _outputTokens;
    private readonly Counter<long> _totalTokensMetric;
    private readonly Counter<long> _inputTokensMetric;
    private readonly Counter<long> _outputTokensMetric;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _apiLatency;

    public LiteLlmProxyMetrics(IMeterFactory meterFactory, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("litellm_requests_metric", null, "Total number of LLM calls to litellm - track total per API Key, team, user");
        _proxyRequests = meter.CreateCounter<long>("litellm_proxy_total_requests_metric", null, "Total number of requests made to the proxy server - track number of client side requests");
        _failedRequests = meter.CreateCounter<long>("litellm_proxy_failed_requests_metric", null, "Total number of failed responses from proxy - the client did not get a success response from litellm proxy");
        _spend = meter.CreateCounter<double>("litellm_spend_metric", null, "Total spend on LLM requests");
        _totalTokens = meter.CreateCounter<long>("litellm_total_tokens", null, "Total number of input + output tokens from LLM requests");
        _inputTokens = meter.CreateCounter<long>("litellm_input_tokens", null, "Total number of input tokens from LLM requests");
        _outputTokens = meter.CreateCounter<long>("litellm_output_tokens", null, "Total number of output tokens from LLM requests");
        _totalTokensMetric = meter.CreateCounter<long>("litellm_total_tokens_metric", null, "Total number of input + output tokens from LLM requests");
        _inputTokensMetric = meter.CreateCounter<long>("litellm_input_tokens_metric", null, "Total number of input tokens from LLM requests");
        _outputTokensMetric = meter.CreateCounter<long>("litellm_output_tokens_metric", null, "Total number of output tokens from LLM requests");
        _latency = meter.CreateHistogram<double>("litellm_request_total_latency_metric", "s", "Total latency (seconds) for a request to LiteLLM");
        _apiLatency = meter.CreateHistogram<double>("litellm_llm_api_latency_metric", "s", "Total latency (seconds) for a models LLM API call");

        // Read at each scrape from the router's cooldown state; resolved late so that metrics never start the runtime.
        meter.CreateObservableGauge(
            "litellm_deployment_state",
            () => DeploymentStates(services?.GetService<LiteLlmRuntime>()),
            null,
            "LLM Deployment Analytics - The state of the deployment: 0 = healthy, 1 = partial outage, 2 = complete outage");
    }

    public void Record(SpendRecord record)
    {
        var key = record.KeyId ?? string.Empty;
        var team = record.TeamId ?? string.Empty;
        var user = record.UserId ?? string.Empty;
        var success = record.Status == "success";

        // LiteLLM's label sets: who (end_user, hashed_api_key, api_key_alias, team, team_alias, user) with the model, with
        // the model and the requested model, or with the requested model and the status. Laid out once so that each set
        // is a slice (model first, the status last), instead of a TagList copied and extended per set.
        var labels = default(Labels);
        Span<KeyValuePair<string, object?>> tags = labels;
        tags[0] = new("model", record.Model ?? record.ModelGroup);
        tags[1] = new("end_user", string.Empty);
        tags[2] = new("hashed_api_key", key);
        tags[3] = new("api_key_alias", string.Empty);
        tags[4] = new("team", team);
        tags[5] = new("team_alias", string.Empty);
        tags[6] = new("user", user);
        tags[7] = new("requested_model", record.ModelGroup);
        tags[8] = new("status_code", success ? "200" : record.Status);
        ReadOnlySpan<KeyValuePair<string, object?>> withModel = tags[..7];
        ReadOnlySpan<KeyValuePair<string, object?>> withBoth = tags[..8];
        _proxyRequests.Add(1, tags[1..]);
        if (!success)
        {
            tags[8] = new("exception_class", record.Status);
            _failedRequests.Add(1, tags[1..]);
            return;
        }

        _requests.Add(1, withModel);
        if (record.Cost is { } cost)
        {
            _spend.Add((double)cost, withModel);
        }

        _totalTokens.Add(record.InputTokens + record.OutputTokens, withModel);
        _inputTokens.Add(record.InputTokens, withModel);
        _outputTokens.Add(record.OutputTokens, withModel);
        _totalTokensMetric.Add(record.InputTokens + record.OutputTokens, withBoth);
        _inputTokensMetric.Add(record.InputTokens, withBoth);
        _outputTokensMetric.Add(record.OutputTokens, withBoth);
        _latency.Record(record.LatencyMs / 1000, withBoth);
        if (record.ApiLatencySeconds is { } api)
        {
            _apiLatency.Record(api, withBoth);
        }
    }

    /// <summary>Room for one request's LiteLLM labels, on the stack.</summary>
    [System.Runtime.CompilerServices.InlineArray(9)]
    private struct Labels
    {
        private KeyValuePair<string, object?> _first;
    }

    /// <summary>LiteLLM's labels: litellm_model_name (the deployment's model), model_id, api_base, api_provider.</summary>
    internal static IEnumerable<Measurement<int>> DeploymentStates(LiteLlmRuntime? runtime)
    {
        if (runtime is null)
        {
            yield break;
        }

        foreach (var report in runtime.Router.GetDeploymentHealth())
        {
            var deployment = report.Deployment.Deployment;
            var slash = deployment.Model.IndexOf('/', StringComparison.Ordinal);
            yield return new Measurement<int>((int)report.Health, new TagList
            {
                { "litellm_model_name", deployment.Model },
                { "model_id", deployment.Id },
                { "api_base", deployment.Provider?.ApiBase ?? string.Empty },
                { "api_provider", slash > 0 ? deployment.Model[..slash] : deployment.Model },
            });
        }
    }
}

/// <summary>Passes each spend record on, and counts it in <see cref="LiteLlmProxyMetrics"/>.</summary>
internal sealed class MeteredSpendSink(ISpendSink inner, LiteLlmProxyMetrics metrics) : ISpendSink
{
    public void Record(SpendRecord record)
    {
        inner.Record(record);
        metrics.Record(record);
    }
}

/// <summary>Registers <see cref="LiteLlmProxyMetrics"/> around the spend sink the host ended up with.</summary>
public static class LiteLlmProxyMetricsServiceCollectionExtensions
{
    /// <summary>Wraps the last registered <see cref="ISpendSink"/> so that every spend record also counts in LiteLLM's metric names.</summary>
    /// <param name="services">The services, after every other spend sink registration.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddLiteLlmProxyMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<LiteLlmProxyMetrics>();
        var last = services.LastOrDefault(d => d.ServiceType == typeof(ISpendSink) && !d.IsKeyedService);
        if (last is null)
        {
            return services;
        }

        Func<IServiceProvider, ISpendSink> inner = last switch
        {
            { ImplementationInstance: ISpendSink instance } => _ => instance,
            { ImplementationFactory: { } factory } => sp => (ISpendSink)factory(sp),
            { ImplementationType: { } type } => sp => (ISpendSink)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException("The registered ISpendSink cannot be wrapped."),
        };
        services.Remove(last);
        services.AddSingleton<ISpendSink>(sp => new MeteredSpendSink(inner(sp), sp.GetRequiredService<LiteLlmProxyMetrics>()));
        return services;
    }
}
