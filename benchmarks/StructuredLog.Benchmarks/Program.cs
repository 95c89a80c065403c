using BenchmarkDotNet.Running;
using StructuredLog.Benchmarks;

// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- <BenchmarkDotNet arguments>
//   e.g. --filter '*' (everything), --filter '*PeerEndToEnd*', --list flat
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- quick [workload]
//   all peers for one workload in under 3 minutes on 2 cores (see docs/benchmarks.md)
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- latency [--producers 4] [--events 100000] [--library X] [--by-position]
//   caller latency histogram (p50/p99/p99.9), not BenchmarkDotNet; "--library Empty [--lines K] [--clock precise|stopwatch]"
//   times an empty call (writing K cache lines of its own, reading a clock) in the same bursts: the harness's floor here
if (args.Length > 0 && args[0] == "latency") return LatencyHarness.Run(args[1..]);
if (args.Length > 0 && args[0] == "format")
{
    // Formats one event's JSON line N times on this thread only (for callgrind instruction counts).
    var breakdown = new CostBreakdownBenchmarks();
    breakdown.Setup();
    int count = args.Length > 1 ? int.Parse(args[1]) : 100_000;
    long total = 0;
    for (int i = 0; i < count; i++) total += breakdown.FormatJson();
    Console.WriteLine($"formatted {count:N0} events ({total} bytes written in total)");
    return 0;
}
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- callercost [--bursts 300]
//   CoreBenchmarks' cases outside BenchmarkDotNet (seconds), for iterating on the calling thread's code
if (args.Length > 0 && args[0] == "callercost") return CallerCostDriver.Run(args[1..]);
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- floor [--bursts 600]
//   what bounds the enabled call: writer draining vs. held, and the cost of the slot's stores alone
if (args.Length > 0 && args[0] == "floor") return FloorDriver.Run(args[1..]);
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- idlecpu [--interval-ms 20] [--no-log]
//   the process CPU of a quiet application that logs one event every N ms
if (args.Length > 0 && args[0] == "idlecpu") return IdleCpuDriver.Run(args[1..]);
if (args.Length > 0 && args[0] == "profile") return ProfileDriver.Run(args[1..]);
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- lean [--events 2000000] [--repeat 5]
//   the end-to-end Plain workload through the leanest pipeline built from the library's parts: a bound, not a product
if (args.Length > 0 && args[0] == "lean") return LeanDriver.Run(args[1..]);
// dotnet run -c Release --project benchmarks/StructuredLog.Benchmarks -- machine [--dir /dev/shm] [--mb 512]
//   the VM's page-cache write speed (two passes) and CPU speed (one JSON line): which state a run was taken in
if (args.Length > 0 && args[0] == "machine") return MachineProbe.Run(args[1..]);
if (args.Length > 0 && args[0] == "quick") return QuickMode.Run(args[1..]);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(CoreBenchmarks).Assembly).Run(args, BenchmarkConfig.Create(quick: false));
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
