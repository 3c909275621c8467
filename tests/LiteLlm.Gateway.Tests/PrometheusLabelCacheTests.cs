using System.Diagnostics;
using System.Diagnostics.Metrics;
using LiteLlm.Gateway.Metrics;

namespace LiteLlm.Gateway.Tests;

/// <summary>
/// The exporter's label-set cache (a tag set seen before maps straight to its point) changes no byte of the scrape:
/// the same measurements give the same text with and without it, counts stay exact under concurrent recording, and a
/// series with more label sets than the cache holds still exports every one.
/// </summary>
public sealed class PrometheusLabelCacheTests
{
    private static readonly string[] Models = ["gpt-4o-mini", "gpt-4o", "claude-3-5-haiku", "a\"b\\c\nd"];

    [Fact]
    public void SameMeasurements_SameText_WithAndWithoutTheCache()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var cached = new PrometheusExporter(factory);
        using var uncached = new PrometheusExporter(factory, null, cacheLabelSets: false);
        var meter = factory.Create("LiteLlm.Test");
        var counter = meter.CreateCounter<long>("litellm.test.calls");
        var spend = meter.CreateCounter<double>("litellm.test.cost", "USD");
        var latency = meter.CreateHistogram<double>("litellm.test.latency", "s");
        var gauge = meter.CreateUpDownCounter<long>("litellm.test.in_flight");

        // Three rounds: the first fills the cache, the next two hit it (or, for values it does not cache, miss again).
        for (var round = 0; round < 3; round++)
        {
            foreach (var model in Models)
            {
                // Equal strings that are not the same instances, request after request; tags that differ only in the
                // first, a middle or the last tag; the same tags in another order.
                var copy = new string(model.AsSpan());
                TagList tags = new() { { "team", "t1" }, { "model.group", copy }, { "user", "u1" } };
                counter.Add(1, tags);
                spend.Add(0.25, tags);
                latency.Record(0.02 * (round + 1), tags);
                counter.Add(2, Tag("user", "u1"), Tag("model.group", model), Tag("team", "t1"));
                counter.Add(3, Tag("team", "t2"), Tag("model.group", copy), Tag("user", "u1"));
                counter.Add(4, Tag("team", "t1"), Tag("model.group", copy), Tag("user", "u2"));
                counter.Add(5, Tag("team", "t1"), Tag("model.group", copy), Tag("user", "u1"), Tag("end_user", string.Empty));
            }

            // Values that are not strings: equal values of other types, values that compare equal but print differently
            // (0.0 and -0.0, 1.5m and 1.50m), null, a key that sanitizes to another key's name.
            counter.Add(1, Tag("attempt", 7), Tag("cached", true));
            counter.Add(1, Tag("attempt", 7L), Tag("cached", true));
            counter.Add(1, Tag("attempt", 8), Tag("cached", false));
            counter.Add(1, Tag("ratio", 0.0));
            counter.Add(1, Tag("ratio", -0.0));
            counter.Add(1, Tag("ratio", 1.5m));
            counter.Add(1, Tag("ratio", 1.50m));
            counter.Add(1, Tag("ratio", 0.5f));
            counter.Add(1, Tag("id", Guid.Empty), Tag("missing", null));
            counter.Add(1, Tag("model_group", "x"));
            counter.Add(1, Tag("model.group", "x"));
            counter.Add(1, Tag("edge", "\n\"x\\\\"), Tag("plain", "é ✓"));
            counter.Add(1);
            gauge.Add(1, Tag("endpoint", "/v1/chat/completions"));
            gauge.Add(-1, Tag("endpoint", "/v1/chat/completions"));
        }

        var text = cached.Scrape();
        Assert.Equal(uncached.Scrape(), text);

        // And the text is what the exporter printed before the cache (labels sorted, sanitized, escaped).
        var lines = text.Split('\n');
        Assert.Contains("litellm_test_calls_total{model_group=\"gpt-4o-mini\",team=\"t1\",user=\"u1\"} 9", lines);
        Assert.Contains("litellm_test_calls_total{model_group=\"a\\\"b\\\\c\\nd\",team=\"t2\",user=\"u1\"} 9", lines);
        Assert.Contains("litellm_test_calls_total{end_user=\"\",model_group=\"gpt-4o\",team=\"t1\",user=\"u1\"} 15", lines);
        Assert.Contains("litellm_test_calls_total{attempt=\"7\",cached=\"True\"} 6", lines);
        Assert.Contains("litellm_test_calls_total{ratio=\"0\"} 3", lines);
        Assert.Contains("litellm_test_calls_total{ratio=\"-0\"} 3", lines);
        Assert.Contains("litellm_test_calls_total{ratio=\"1.5\"} 3", lines);
        Assert.Contains("litellm_test_calls_total{ratio=\"1.50\"} 3", lines);
        Assert.Contains("litellm_test_calls_total{model_group=\"x\"} 6", lines);
        Assert.Contains("litellm_test_calls_total{edge=\"\\n\\\"x\\\\\\\\\",plain=\"é ✓\"} 3", lines);
        Assert.Contains("litellm_test_calls_total 3", lines);
        Assert.Contains("litellm_test_latency_seconds_count{model_group=\"claude-3-5-haiku\",team=\"t1\",user=\"u1\"} 3", lines);
        Assert.Contains("litellm_test_in_flight{endpoint=\"/v1/chat/completions\"} 0", lines);
    }

    [Fact]
    public async Task ConcurrentRecording_CountsAreExact()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusExporter(factory);
        var meter = factory.Create("LiteLlm.Test");
        var counter = meter.CreateCounter<long>("litellm.test.calls");
        var latency = meter.CreateHistogram<double>("litellm.test.latency", "s");

        // 8 threads x 5000 requests over 4 models: each thread its own string instances, some requests a fresh copy.
        const int Threads = 8;
        const int Requests = 5000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(
            () =>
            {
                var mine = Models.Select(m => new string(m.AsSpan())).ToArray();
                for (var i = 0; i < Requests; i++)
                {
                    var model = i % 7 == 0 ? new string(mine[i % 4].AsSpan()) : mine[i % 4];
                    counter.Add(1, Tag("model_group", model), Tag("thread_parity", t % 2));
                    latency.Record(i / 4 % 2 == 0 ? 0.003 : 200, Tag("model_group", model));
                }
            },
            TestContext.Current.CancellationToken)));

        var lines = exporter.Scrape().Split('\n');
        foreach (var model in Models)
        {
            var label = model.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            Assert.Contains($"litellm_test_calls_total{{model_group=\"{label}\",thread_parity=\"0\"}} {Threads / 2 * Requests / 4}", lines);
            Assert.Contains($"litellm_test_calls_total{{model_group=\"{label}\",thread_parity=\"1\"}} {Threads / 2 * Requests / 4}", lines);
            Assert.Contains($"litellm_test_latency_seconds_count{{model_group=\"{label}\"}} {Threads * Requests / 4}", lines);
            Assert.Contains($"litellm_test_latency_seconds_bucket{{model_group=\"{label}\",le=\"0.005\"}} {Threads * Requests / 8}", lines);
        }
    }

    [Fact]
    public async Task HighCardinality_EveryLabelSetIsExported()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var cached = new PrometheusExporter(factory);
        using var uncached = new PrometheusExporter(factory, null, cacheLabelSets: false);
        var counter = factory.Create("LiteLlm.Test").CreateCounter<long>("litellm.test.calls");

        // 40 times the cache's slots, in turn, three times each, from two threads.
        const int Keys = LabelSetCache<object>.Capacity * 40;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(
            () =>
            {
                for (var round = 0; round < 3; round++)
                {
                    for (var k = 0; k < Keys; k++)
                    {
                        counter.Add(1, Tag("hashed_api_key", $"sk-{k:x8}"), Tag("model", "gpt-4o-mini"));
                    }
                }
            },
            TestContext.Current.CancellationToken)));

        var text = cached.Scrape();
        Assert.Equal(uncached.Scrape(), text);
        var lines = text.Split('\n').Where(l => l.StartsWith("litellm_test_calls_total{", StringComparison.Ordinal)).ToList();
        Assert.Equal(Keys, lines.Count);
        Assert.All(lines, l => Assert.EndsWith("} 6", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Cache_HitsEqualTags_MissesAnyDifference()
    {
        var cache = new LabelSetCache<object>();
        var point = new object();
        KeyValuePair<string, object?>[] tags = [new("model", "gpt-4o-mini"), new("team", "t1"), new("attempt", 1)];
        Assert.Null(cache.Find(tags, out var hash));
        cache.Add(tags, hash, point);

        Assert.Same(point, cache.Find([new("model", new string("gpt-4o-mini".AsSpan())), new("team", "t1"), new("attempt", 1)], out _));
        Assert.Null(cache.Find([new("model", "gpt-4o-mini"), new("team", "t1"), new("attempt", 2)], out _));
        Assert.Null(cache.Find([new("model", "gpt-4o-mini"), new("team", "t1"), new("attempt", 1L)], out _));
        Assert.Null(cache.Find([new("model", "gpt-4o-mini"), new("team", "t2"), new("attempt", 1)], out _));
        Assert.Null(cache.Find([new("model", "gpt-4o-mini"), new("team", "t1")], out _));
        Assert.Null(cache.Find([new("team", "t1"), new("model", "gpt-4o-mini"), new("attempt", 1)], out _));

        // Values whose equality does not imply the same text are never cached.
        Assert.Null(cache.Find([new("ratio", 1.5m)], out var uncacheable));
        cache.Add([new("ratio", 1.5m)], uncacheable, point);
        Assert.Null(cache.Find([new("ratio", 1.5m)], out _));
    }

    [Fact]
    public void Cache_KeepsAHotLabelSet_WhileManyOthersComeAndGo()
    {
        var cache = new LabelSetCache<object>();
        var hot = new object();
        KeyValuePair<string, object?>[] hotTags = [new("hashed_api_key", "sk-hot"), new("model", "gpt-4o-mini")];
        Assert.Null(cache.Find(hotTags, out var hotHash));
        cache.Add(hotTags, hotHash, hot);

        // One request of the hot key between every 20 of a scan over 200,000 label sets (far more than the slots).
        var hits = 0;
        var requests = 0;
        for (var k = 0; k < 200_000; k++)
        {
            KeyValuePair<string, object?>[] cold = [new("hashed_api_key", $"sk-{k:x8}"), new("model", "gpt-4o-mini")];
            if (cache.Find(cold, out var hash) is null)
            {
                cache.Add(cold, hash, new object());
            }

            if (k % 20 == 0)
            {
                requests++;
                if (cache.Find(hotTags, out var again) is { } found)
                {
                    Assert.Same(hot, found);
                    hits++;
                }
                else
                {
                    cache.Add(hotTags, again, hot);
                }
            }
        }

        Assert.True(hits >= requests - 1, $"the hot label set was found {hits} times in {requests}");
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
