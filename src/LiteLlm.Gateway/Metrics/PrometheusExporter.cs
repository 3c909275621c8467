using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace LiteLlm.Gateway.Metrics;

/// <summary>
/// A small Prometheus text-format (0.0.4) exporter over <see cref="MeterListener"/>: counters, up-down counters and
/// histograms from the LiteLlm meters, aggregated in memory per label set. See docs/decisions/0006-gateway-hosting.md.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] DefaultBuckets = [1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000, 100000];

    private static readonly ConcurrentDictionary<string, string> SanitizedNames = new(StringComparer.Ordinal);

    /// <summary>What a label value escapes (text format 0.0.4): backslash, double quote and line feed.</summary>
    private static readonly SearchValues<char> MustEscape = SearchValues.Create("\\\"\n");

    [ThreadStatic]
    private static char[]? t_buffer;

    [ThreadStatic]
    private static string[]? t_names;

    private readonly MeterListener _listener = new();
    private readonly IMeterFactory _meterFactory;
    private readonly IServiceProvider? _services;
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusExporter(IMeterFactory meterFactory, IServiceProvider? services = null)
        : this(meterFactory, services, cacheLabelSets: true)
    {
    }

    /// <summary>Tests compare the text with and without <see cref="LabelSetCache{TPoint}"/>: it must not change a byte.</summary>
    internal PrometheusExporter(IMeterFactory meterFactory, IServiceProvider? services, bool cacheLabelSets)
    {
        _meterFactory = meterFactory;
        _services = services;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's meters (tests run several hosts in one process) and only ours.
            var meter = instrument.Meter;
            if ((meter.Scope is null || ReferenceEquals(meter.Scope, _meterFactory))
                && (meter.Name == "LiteLlm" || meter.Name.StartsWith("LiteLlm.", StringComparison.Ordinal)))
            {
                listener.EnableMeasurementEvents(instrument, _series.GetOrAdd(instrument, i => new Series(i, cacheLabelSets)));
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => ((Series)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, state) => ((Series)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => ((Series)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, state) => ((Series)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, state) => ((Series)state!).Record((double)v, tags));
        _listener.Start();
    }

    public string Scrape()
    {
        // LiteLLM's instruments include gauges read from the router (litellm_deployment_state): they exist before the first request.
        _ = _services?.GetService<LiteLlmProxyMetrics>();
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || chars[i] == ':'))
            {
                chars[i] = '_';
            }
        }

        return chars.Length > 0 && char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static string Number(double value)
        => double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        private readonly Instrument _instrument;
        private readonly ConcurrentDictionary<string, Point> _points;
        private readonly ConcurrentDictionary<string, Point>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private readonly bool _histogram;
        private readonly bool _counter;
        private readonly bool _observed;
        private readonly double[] _buckets;

        // Null only where a test compares the text with and without it; measurements without tags share one point.
        private readonly LabelSetCache<Point>? _cache;
        private Point? _unlabelled;

        public Series(Instrument instrument, bool cacheLabelSets)
        {
            _instrument = instrument;
            _cache = cacheLabelSets ? new() : null;
            _points = new(StringComparer.Ordinal);
            _lookup = _points.GetAlternateLookup<ReadOnlySpan<char>>();
            _histogram = instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

            // An observable instrument reports its current value (a gauge's level, a counter's total) at every scrape.
            _observed = instrument.IsObservable;
            _counter = instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) || instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                "USD" => "_usd",
                _ => string.Empty,
            };
            var name = Sanitize(instrument.Name);
            // LiteLLM's names are kept exactly as LiteLLM exports them (its dashboards query them); ours get their unit.
            Name = instrument.Meter.Name == LiteLlmProxyMetrics.MeterName || name.EndsWith(unit, StringComparison.Ordinal) ? name : name + unit;
            _buckets = instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
        }

        public string Name { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            // A tag set seen before maps straight to its point; only a new one has its label text formatted (Find).
            var hash = 0;
            var point = tags.Length == 0 ? _unlabelled ??= Find(tags, hash)
                : _cache?.Find(tags, out hash) ?? Find(tags, hash);
            // Lock-free: under concurrent requests a lock per series (the in-flight gauge is touched twice by every
            // request) showed up as contention in CPU samples. A histogram counts each value in its own bucket only;
            // the scrape makes the buckets cumulative.
            if (_histogram)
            {
                var i = 0;
                while (i < _buckets.Length && value > _buckets[i])
                {
                    i++;
                }

                Interlocked.Increment(ref point.Buckets[i]);
                Interlocked.Increment(ref point.Count);
                point.Add(value);
            }
            else if (_observed)
            {
                Interlocked.Exchange(ref point.Sum, value);
            }
            else
            {
                point.Add(value);
            }
        }

        /// <summary>The slow path, for tags not in the cache: the label text is formatted into a per-thread buffer and looked up as a span.</summary>
        private Point Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash)
        {
            var labels = Labels(tags);
            var point = _lookup.TryGetValue(labels, out var existing) ? existing : _points.GetOrAdd(new string(labels), static (_, buckets) => new Point(buckets), _buckets.Length);
            _cache?.Add(tags, hash, point);
            return point;
        }

        public void WriteTo(StringBuilder text)
        {
            if (_points.IsEmpty)
            {
                return;
            }

            var type = _histogram ? "histogram" : _counter ? "counter" : "gauge";
            var name = _counter ? Name + "_total" : Name;
            if (!string.IsNullOrEmpty(_instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(_instrument.Description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, point) in _points.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (_histogram)
                {
                    long cumulative = 0;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        cumulative += Volatile.Read(ref point.Buckets[i]);
                        Line(text, name + "_bucket", Join(labels, "le=\"" + Number(_buckets[i]) + "\""), cumulative);
                    }

                    var count = Volatile.Read(ref point.Count);
                    Line(text, name + "_bucket", Join(labels, "le=\"+Inf\""), count);
                    Line(text, name + "_sum", labels, Volatile.Read(ref point.Sum));
                    Line(text, name + "_count", labels, count);
                }
                else
                {
                    Line(text, name, labels, Volatile.Read(ref point.Sum));
                }
            }
        }

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        /// <summary>Formats <c>k1="v1",k2="v2"</c>, keys sanitized and sorted, values escaped, into this thread's buffer.</summary>
        private static ReadOnlySpan<char> Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return [];
            }

            Span<int> order = stackalloc int[Math.Min(tags.Length, 32)];
            var count = order.Length;
            var names = t_names ??= new string[32];
            for (var i = 0; i < count; i++)
            {
                names[i] = SanitizedNames.GetOrAdd(tags[i].Key, static k => Sanitize(k));
                var j = i;
                while (j > 0 && string.CompareOrdinal(names[order[j - 1]], names[i]) > 0)
                {
                    order[j] = order[j - 1];
                    j--;
                }

                order[j] = i;
            }

            var buffer = t_buffer ??= new char[256];
            var length = 0;
            for (var n = 0; n < count; n++)
            {
                var i = order[n];
                if (n > 0)
                {
                    Append(ref buffer, ref length, ",");
                }

                Append(ref buffer, ref length, names[i]);
                Append(ref buffer, ref length, "=\"");
                switch (tags[i].Value)
                {
                    case string text:
                        AppendEscaped(ref buffer, ref length, text);
                        break;
                    case ISpanFormattable formattable when formattable.TryFormat(Reserve(ref buffer, length, 64), out var written, default, CultureInfo.InvariantCulture):
                        length += written;
                        break;
                    case var other:
                        AppendEscaped(ref buffer, ref length, Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty);
                        break;
                }

                Append(ref buffer, ref length, "\"");
            }

            t_buffer = buffer;
            return buffer.AsSpan(0, length);
        }

        private static Span<char> Reserve(ref char[] buffer, int length, int needed)
        {
            if (buffer.Length - length < needed)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + needed));
            }

            return buffer.AsSpan(length);
        }

        private static void Append(ref char[] buffer, ref int length, string text)
        {
            text.CopyTo(Reserve(ref buffer, length, text.Length));
            length += text.Length;
        }

        private static void AppendEscaped(ref char[] buffer, ref int length, string text)
        {
            // Most values need no escaping: copy the runs between the characters that do (a vectorized search).
            var rest = text.AsSpan();
            while (true)
            {
                var next = rest.IndexOfAny(MustEscape);
                var plain = next < 0 ? rest : rest[..next];
                plain.CopyTo(Reserve(ref buffer, length, plain.Length));
                length += plain.Length;
                if (next < 0)
                {
                    return;
                }

                Append(ref buffer, ref length, rest[next] switch
                {
                    '\\' => "\\\\",
                    '"' => "\\\"",
                    _ => "\\n",
                });
                rest = rest[(next + 1)..];
            }
        }
    }

    private sealed class Point(int buckets)
    {
#pragma warning disable SA1401, CA1051 // fields: updated with Interlocked
        public double Sum;

        public long Count;

        /// <summary>Counts per bucket, not cumulative; the last one counts values above every bound (+Inf).</summary>
        public readonly long[] Buckets = new long[buckets + 1];
#pragma warning restore SA1401, CA1051

        public void Add(double value)
        {
            var seen = Volatile.Read(ref Sum);
            while (true)
            {
                var found = Interlocked.CompareExchange(ref Sum, seen + value, seen);
                if (found.Equals(seen))
                {
                    return;
                }

                seen = found;
            }
        }
    }
}
