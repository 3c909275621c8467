using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using LiteLlm.Gateway.Metrics;
using LiteLlm.Gateway.Spend;
using Microsoft.Extensions.DependencyInjection;

namespace LiteLlm.Benchmarks;

/// <summary>
/// One request's worth of metrics through a real <see cref="PrometheusExporter"/>: the gateway's in-flight gauge and
/// request counter, then LiteLLM's names (<see cref="LiteLlmProxyMetrics.Record"/>, 11 measurements of 7–8 labels).
/// The model group is an equal but distinct string each request, as it is when parsed from each request's JSON.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private static readonly Task<int> Done = Task.FromResult(0);
    private readonly ServiceProvider _services;
    private readonly PrometheusExporter _exporter;
    private readonly LiteLlmProxyMetrics _proxy;
    private readonly GatewayMetrics _gateway;
    private readonly SpendRecord[] _sameKey;
    private readonly SpendRecord[] _manyKeys;
    private int _n;

    public MetricsBenchmarks()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(factory);
        _proxy = new LiteLlmProxyMetrics(factory);
        _gateway = new GatewayMetrics(factory);
        _sameKey = Enumerable.Range(0, 64).Select(_ => Record("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")).ToArray();
        _manyKeys = Enumerable.Range(0, 4096).Select(i => Record(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture))).ToArray();
    }

    /// <summary>The steady state: the same key, team, user and model request after request.</summary>
    [Benchmark]
    public Task<int> LiteLlmMetricsPerRequest() => Request(_sameKey[_n++ & 63]);

    /// <summary>4096 keys in turn: more label sets per series than any per-series cache keeps.</summary>
    [Benchmark]
    public Task<int> LiteLlmMetricsPerRequestManyKeys() => Request(_manyKeys[_n++ & 4095]);

    /// <summary>The exposition text, for checking that the benchmark recorded what it should.</summary>
    public string Scrape() => _exporter.Scrape();

    private Task<int> Request(SpendRecord record)
    {
        _gateway.InFlight.Add(1);
        _gateway.InFlight.Add(-1);
        _gateway.Requests.Add(1, new("endpoint", "/v1/chat/completions"), new("model_group", record.ModelGroup), new("status", record.Status));
        _proxy.Record(record);
        return Done;
    }

    private static SpendRecord Record(string key) => new()
    {
        RequestId = "req",
        KeyId = key,
        TeamId = "team-platform",
        UserId = "user-42",
        ModelGroup = new string("gpt-4o-mini".AsSpan()),
        Model = "gpt-4o-mini-2024-07-18",
        InputTokens = 12,
        OutputTokens = 9,
        Cost = 0.0000072m,
        LatencyMs = 3.2,
        ApiLatencySeconds = 0.0021,
        Status = "success",
        StartTime = DateTimeOffset.UnixEpoch,
        EndTime = DateTimeOffset.UnixEpoch,
        Endpoint = "/v1/chat/completions",
    };
}
