using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>quick [workload]</c>: every library for one workload, in-process, 1 warm-up + 3 iterations,
/// in under 3 minutes on 2 cores. Workloads: <c>disabled</c>, <c>caller</c> (1 producer),
/// <c>producers</c> (1, 2, 4), <c>endtoend</c> (default), <c>exception</c>, <c>scopetrace</c>, <c>core</c>, <c>breakdown</c>,
/// <c>mel</c> (the caller's cost through each MEL provider: <c>[LoggerMessage]</c>, <c>LogInformation</c> and <c>[LoggerMessage]</c> inside scopes).
/// </summary>
public static class QuickMode
{
    public static int Run(string[] args)
    {
        string workload = args.Length > 0 ? args[0].ToLowerInvariant() : "endtoend";
        (Type, Func<BenchmarkCase, bool>) selection = workload switch
        {
            "disabled" => (typeof(PeerDisabledBenchmarks), static _ => true),
            "caller" => (typeof(PeerCallerBenchmarks), c => Param(c, "Producers") == "1"),
            "producers" => (typeof(PeerCallerBenchmarks), _ => true),
            "endtoend" => (typeof(PeerEndToEndBenchmarks), c => Param(c, "Workload") == "Plain"),
            "exception" => (typeof(PeerEndToEndBenchmarks), c => Param(c, "Workload") == "Exception"),
            "scopetrace" => (typeof(PeerEndToEndBenchmarks), c => Param(c, "Workload") == "ScopeTrace"),
            "core" => (typeof(CoreBenchmarks), _ => true),
            "breakdown" => (typeof(CostBreakdownBenchmarks), _ => true),
            "mel" => (typeof(MelCallerBenchmarks), _ => true),
            _ => throw new ArgumentException($"unknown workload '{workload}': disabled, caller, producers, endtoend, exception, scopetrace, core, breakdown, mel"),
        };
        var (type, keep) = selection;
        var config = BenchmarkConfig.Create(quick: true).AddFilter(new SimpleFilter(c => keep(c)));
        var summary = BenchmarkRunner.Run(type, config);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }

    private static string? Param(BenchmarkCase c, string name) =>
        c.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value?.ToString();
}
