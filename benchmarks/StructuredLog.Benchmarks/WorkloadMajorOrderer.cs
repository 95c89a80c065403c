using System.Collections.Immutable;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Running;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The order in which the end-to-end cases run: workload by workload, every library of one workload back to back, and
/// the libraries' order rotated by two places from one workload to the next (Plain starts with StructuredLog, Exception
/// with Serilog, ScopeTrace with MelLoggerMessage).
/// </summary>
/// <remarks>
/// BenchmarkDotNet's default order is library by library. Each case writes about a gigabyte of files, and the test
/// machine got slower over a run (a JSON line's CPU time 138–152 ns before session 20's second full run, 148–177 ns
/// after; why is not known: the CPU's slow state, or page-cache pages the host has taken back). The first library
/// measured gained on the last: StructuredLog's coarse-clock case, measured last, read slower than the precise one in
/// four full runs out of four, and faster or level in every in-process and alternated comparison. Running each
/// workload's libraries together keeps the ones compared with each other within a minute or two, and the rotation gives
/// no library the best place every time.
/// </remarks>
public sealed class WorkloadMajorOrderer : DefaultOrderer
{
    /// <inheritdoc />
    public override IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarkCases, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
    {
        int libraries = Enum.GetValues<Library>().Length;
        return base.GetExecutionOrder(benchmarkCases, order).OrderBy(c =>
        {
            int workload = (int)(Workload)c.Parameters[nameof(PeerEndToEndBenchmarks.Workload)]!;
            int library = (int)(Library)c.Parameters[nameof(PeerEndToEndBenchmarks.Library)]!;
            return (workload, ((library - 2 * workload) % libraries + libraries) % libraries);
        });
    }

    /// <summary>The configuration that applies this order (<c>[Config(typeof(WorkloadMajorOrderer.Config))]</c>).</summary>
    public sealed class Config : ManualConfig
    {
        /// <summary>Only the orderer; everything else comes from the run's configuration.</summary>
        public Config() => Orderer = new WorkloadMajorOrderer();
    }
}
