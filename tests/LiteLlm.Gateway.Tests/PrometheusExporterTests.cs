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
}
