// BenchmarkDotNet suite: what the LiteLlm pipeline costs over the bare provider client, against an
// in-process upstream that answers instantly with a fixed body.
//   bash benchmarks/run.sh            (short job)    bash benchmarks/run.sh --full    (default job)
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(LiteLlm.Benchmarks.PipelineBenchmarks).Assembly).Run(args);
