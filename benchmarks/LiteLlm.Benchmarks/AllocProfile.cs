using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Reflection;
using Microsoft.Extensions.AI;

namespace LiteLlm.Benchmarks;

/// <summary>
/// Deterministic allocation profile of one benchmark, outside BenchmarkDotNet: bytes allocated per call
/// (all threads, precise) and, from the runtime's sampled GCAllocationTick events (one per ~100 KB), which
/// types make up those bytes.
///   dotnet run -c Release --project benchmarks/LiteLlm.Benchmarks -- alloc FullPipelineWithoutCache [calls]
/// </summary>
public static class AllocProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] == "time")
        {
            return await TimeAsync(args);
        }

        var names = args.Length > 1 ? args[1].Split(',') : ["BareProviderClient", "FullPipelineWithoutCache"];
        var calls = args.Length > 2 ? int.Parse(args[2]) : 20_000;
        var top = args.Length > 3 ? int.Parse(args[3]) : 25;
        var pipeline = new PipelineBenchmarks();
        pipeline.Setup();
        var targets = new Targets(pipeline);
        foreach (var name in names)
        {
            var run = targets.Runner(name);
            for (var i = 0; i < 2_000; i++)
            {
                await run();
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var listener = new AllocationListener();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var gen0 = GC.CollectionCount(0);
            var items = ThreadPool.CompletedWorkItemCount;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                await run();
            }

            watch.Stop();
            var bytes = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)calls;
            // Thread-pool work items per call: each is a hop (a queue, often a wake-up) that load does not change.
            var hops = (ThreadPool.CompletedWorkItemCount - items) / (double)calls;
            Console.WriteLine($"== {name}: {bytes:F0} B/call, {hops:F2} thread-pool items/call, {watch.Elapsed.TotalMicroseconds / calls:F1} µs/call (noisy), gen0 {GC.CollectionCount(0) - gen0}");
            var total = listener.Samples.Values.Sum();
            foreach (var (type, n) in listener.Samples.OrderByDescending(p => p.Value).Take(top))
            {
                Console.WriteLine($"   {100.0 * n / total,5:F1}%  ~{bytes * n / total,6:F0} B  {type}");
            }
        }

        pipeline.Cleanup();
        return 0;
    }

    /// <summary>
    /// A/B timing in one process: the named benchmarks run interleaved in rounds (so machine noise hits them alike);
    /// the median round's µs per call is printed for each, with the spread (min–max) to show the noise.
    ///   ... -- time Name1,Name2 [calls per round] [rounds]
    /// </summary>
    private static async Task<int> TimeAsync(string[] args)
    {
        var names = args[1].Split(',');
        var calls = args.Length > 2 ? int.Parse(args[2]) : 2_000;
        var rounds = args.Length > 3 ? int.Parse(args[3]) : 15;
        var pipeline = new PipelineBenchmarks();
        pipeline.Setup();
        var targets = new Targets(pipeline);
        var runners = names.Select(targets.Runner).ToArray();
        var results = names.Select(_ => new List<double>()).ToArray();
        var cpu = names.Select(_ => new List<double>()).ToArray();
        using var process = Process.GetCurrentProcess();
        for (var round = -3; round < rounds; round++)
        {
            for (var j = 0; j < runners.Length; j++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < calls; i++)
                {
                    await runners[j]();
                }

                watch.Stop();
                process.Refresh();
                if (round >= 0)
                {
                    results[j].Add(watch.Elapsed.TotalMicroseconds / calls);
                    cpu[j].Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / calls);
                }
            }
        }

        // CPU time (all threads of the process: the benchmark, background consumers, GC) is far less sensitive than
        // wall time to other work on the machine; both are printed.
        var baseline = results[0].Order().ElementAt(rounds / 2);
        var cpuBaseline = cpu[0].Order().ElementAt(rounds / 2);
        for (var j = 0; j < names.Length; j++)
        {
            var sorted = results[j].Order().ToList();
            var cpuSorted = cpu[j].Order().ToList();
            Console.WriteLine($"{names[j],-28} wall median {sorted[rounds / 2],7:F1} µs (min {sorted[0]:F1}, max {sorted[^1]:F1}) x{sorted[rounds / 2] / baseline:F2}"
                + $" | cpu median {cpuSorted[rounds / 2],7:F1} µs (min {cpuSorted[0]:F1}, max {cpuSorted[^1]:F1}) x{cpuSorted[rounds / 2] / cpuBaseline:F2}");
        }

        pipeline.Cleanup();
        return 0;
    }

    private static Func<Task> BuildRunner(object target, MethodInfo method)
        => method.ReturnType == typeof(Task<int>) ? method.CreateDelegate<Func<Task<int>>>(target)
            : method.CreateDelegate<Func<Task<ChatResponse>>>(target);

    /// <summary>Finds a benchmark by name; the metrics suite is made only when asked for (its exporter listens to the LiteLlm meters).</summary>
    private sealed class Targets(PipelineBenchmarks pipeline)
    {
        private GatewayBenchmarks? _gateway;
        private MetricsBenchmarks? _metrics;

        public Func<Task> Runner(string name)
        {
            object target = typeof(PipelineBenchmarks).GetMethod(name) is not null ? pipeline
                : typeof(MetricsBenchmarks).GetMethod(name) is not null ? _metrics ??= new MetricsBenchmarks()
                : _gateway ??= new GatewayBenchmarks();
            var method = target.GetType().GetMethod(name) ?? throw new ArgumentException($"No benchmark {name}.");
            return BuildRunner(target, method);
        }
    }

    private sealed class AllocationListener : EventListener
    {
        public Dictionary<string, long> Samples { get; } = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is { } payload)
            {
                var type = payload[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
                lock (Samples)
                {
                    Samples[type] = Samples.GetValueOrDefault(type) + 1;
                }
            }
        }
    }
}
