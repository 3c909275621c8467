// BenchmarkDotNet suite: what the LiteLlm pipeline costs over the bare provider client, against an
// in-process upstream that answers instantly with a fixed body.
//   bash benchmarks/run.sh            (short job)    bash benchmarks/run.sh --full    (default job)
//   dotnet run -c Release --project benchmarks/LiteLlm.Benchmarks -- alloc Name1,Name2 [calls]   (allocation profile)
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] is "alloc" or "time")
{
    return await LiteLlm.Benchmarks.AllocProfile.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(LiteLlm.Benchmarks.PipelineBenchmarks).Assembly).Run(args);
return 0;
