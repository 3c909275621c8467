namespace LiteLlm.Routing;

/// <summary>The last samples of one latency measure of one deployment (milliseconds), for percentiles.</summary>
internal sealed class SampleWindow
{
    private const int Size = 128;
    private readonly double[] _samples = new double[Size];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(double milliseconds)
    {
        // Benign race: two samples landing together may share a slot; the window stays a window of recent samples.
        var n = Interlocked.Increment(ref _count) - 1;
        Volatile.Write(ref _samples[n % Size], milliseconds);
    }

    public void CopyTo(List<double> into)
    {
        var n = (int)Math.Min(Count, Size);
        for (var i = 0; i < n; i++)
        {
            into.Add(Volatile.Read(ref _samples[i]));
        }
    }
}

/// <summary>
/// One model group's hedging state: the observed percentile of its deployments' time to first token (the whole answer
/// when not streaming), recomputed every few requests, and the share of its requests hedged, over a decaying window.
/// </summary>
internal sealed class GroupHedging
{
    private const double Decay = 0.999; // about the last thousand requests count
    private const int RecomputeEvery = 16;
    private readonly Lock _lock = new();
    private double _requests;
    private double _hedges;
    private long _seen;
    private double _streamingThresholdMs = double.NaN;
    private double _thresholdMs = double.NaN;

    /// <summary>Counts a request towards the hedged share.</summary>
    public void CountRequest()
    {
        lock (_lock)
        {
            _requests = (_requests * Decay) + 1;
            _hedges *= Decay;
        }
    }

    /// <summary>Takes a hedge if the group stays within <paramref name="maxShare"/> of its requests hedged.</summary>
    public bool TryTakeHedge(double maxShare)
    {
        lock (_lock)
        {
            if (_hedges + 1 > maxShare * _requests)
            {
                return false;
            }

            _hedges += 1;
            return true;
        }
    }

    /// <summary>The cached percentile, unless it is time to compute it again (at first, then every few requests).</summary>
    public bool TryCached(bool streaming, out TimeSpan? threshold)
    {
        var cached = streaming ? Volatile.Read(ref _streamingThresholdMs) : Volatile.Read(ref _thresholdMs);
        threshold = double.IsNaN(cached) ? null : TimeSpan.FromMilliseconds(cached);
        return !double.IsNaN(cached) && Interlocked.Increment(ref _seen) % RecomputeEvery != 0;
    }

    /// <summary>Computes the percentile of <paramref name="samples"/> and caches it; null below <paramref name="minSamples"/> samples.</summary>
    public TimeSpan? Compute(List<double> samples, bool streaming, double percentile, int minSamples)
    {
        if (samples.Count < minSamples)
        {
            return null;
        }

        samples.Sort();
        var value = samples[Math.Clamp((int)Math.Ceiling(percentile * samples.Count) - 1, 0, samples.Count - 1)];
        Volatile.Write(ref streaming ? ref _streamingThresholdMs : ref _thresholdMs, value);
        return TimeSpan.FromMilliseconds(value);
    }
}
