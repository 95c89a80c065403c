using BenchmarkDotNet.Running;
using StructuredLog.Benchmarks;
using StructuredLog.Benchmarks.Peers;
using Xunit;

namespace StructuredLog.Benchmarks.Tests;

/// <summary>The end-to-end cases run workload by workload, the libraries' order rotated from one workload to the next.</summary>
public sealed class ExecutionOrderTests
{
    [Fact]
    public void End_to_end_cases_run_workload_by_workload_with_the_library_order_rotated()
    {
        var run = BenchmarkConverter.TypeToBenchmarks(typeof(PeerEndToEndBenchmarks), BenchmarkConfig.Create(quick: false));
        var order = run.Config.Orderer.GetExecutionOrder(System.Collections.Immutable.ImmutableArray.Create(run.BenchmarksCases))
            .Select(c => ((Workload)c.Parameters["Workload"]!, (Library)c.Parameters["Library"]!))
            .ToArray();

        var libraries = Enum.GetValues<Library>();
        Assert.Equal(Enum.GetValues<Workload>().Length * libraries.Length, order.Length);
        Assert.Equal(Enum.GetValues<Workload>(), order.Select(o => o.Item1).Distinct());
        // Each workload's libraries together (all of them), each workload starting two libraries further on.
        for (int w = 0; w < Enum.GetValues<Workload>().Length; w++)
        {
            var block = order.Skip(w * libraries.Length).Take(libraries.Length).ToArray();
            Assert.All(block, o => Assert.Equal((Workload)w, o.Item1));
            Assert.Equal(libraries.Select((_, i) => libraries[(i + 2 * w) % libraries.Length]), block.Select(o => o.Item2));
        }
        Assert.Equal(Library.StructuredLog, order[0].Item2);
        Assert.Equal(Library.Serilog, order[libraries.Length].Item2);
    }
}
