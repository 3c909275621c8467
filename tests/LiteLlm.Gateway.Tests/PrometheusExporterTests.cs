using System.Diagnostics.Metrics;
using LiteLlm.Gateway.Metrics;

namespace LiteLlm.Gateway.Tests;

/// <summary>The exporter's text format: labels sorted and escaped, one series per label set, values of any type.</summary>
public sealed class PrometheusExporterTests
{
    [Fact]
    public void Labels_AreSortedEscapedAndOneSeriesPerLabelSet()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusExporter(factory);
        var counter = factory.Create("LiteLlm.Test").CreateCounter<long>("litellm.test.calls");

        for (var i = 0; i < 3; i++)
        {
            counter.Add(2, new KeyValuePair<string, object?>("model.group", "a\"b\\c\nd"), new KeyValuePair<string, object?>("attempt", 7), new KeyValuePair<string, object?>("cached", true));
        }

        counter.Add(5, new KeyValuePair<string, object?>("attempt", 8), new KeyValuePair<string, object?>("model.group", "plain"), new KeyValuePair<string, object?>("cached", false));
        counter.Add(1);

        var lines = exporter.Scrape().Split('\n');
        Assert.Contains("litellm_test_calls_total{attempt=\"7\",cached=\"True\",model_group=\"a\\\"b\\\\c\\nd\"} 6", lines);
        Assert.Contains("litellm_test_calls_total{attempt=\"8\",cached=\"False\",model_group=\"plain\"} 5", lines);
        Assert.Contains("litellm_test_calls_total 1", lines);
        Assert.Equal(3, lines.Count(l => l.StartsWith("litellm_test_calls_total", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Histograms_AreCumulative_AndConcurrentRecordsAreAllCounted()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusExporter(factory);
        var meter = factory.Create("LiteLlm.Test");
        var histogram = meter.CreateHistogram<double>("litellm.test.latency", "s");
        var gauge = meter.CreateUpDownCounter<long>("litellm.test.in_flight");

        // 4 threads x 1000 records of 0.003, 0.02 and 200 s (below the first bound, between bounds, above the last).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                gauge.Add(1);
                histogram.Record(0.003);
                histogram.Record(0.02);
                histogram.Record(200);
                gauge.Add(-1);
            }
        }, TestContext.Current.CancellationToken)));

        var lines = exporter.Scrape().Split('\n');
        Assert.Contains("litellm_test_latency_seconds_bucket{le=\"0.005\"} 4000", lines);
        Assert.Contains("litellm_test_latency_seconds_bucket{le=\"0.01\"} 4000", lines);
        Assert.Contains("litellm_test_latency_seconds_bucket{le=\"0.025\"} 8000", lines);
        Assert.Contains("litellm_test_latency_seconds_bucket{le=\"120\"} 8000", lines);
        Assert.Contains("litellm_test_latency_seconds_bucket{le=\"+Inf\"} 12000", lines);
        Assert.Contains("litellm_test_latency_seconds_count 12000", lines);
        var sum = double.Parse(lines.Single(l => l.StartsWith("litellm_test_latency_seconds_sum ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(4000 * 200.023, sum, 6);
        Assert.Contains("litellm_test_in_flight 0", lines);
    }
}
