using BenchmarkDotNet.Attributes;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The caller's cost of a <c>[LoggerMessage]</c> call (int, double, string) through each library's
/// Microsoft.Extensions.Logging provider, measured like <see cref="PeerCallerBenchmarks"/>: one iteration is a
/// burst of <see cref="Burst"/> calls on one thread, smaller than every provider's queue; the background side
/// only counts (StructuredLog: a counting sink; ZLogger: its async writer into a stream that counts lines, so it
/// still formats; Serilog: Serilog.Sinks.Async into a counting sink); before each iteration every event sent so
/// far must have arrived (not timed). <see cref="MelProviderBenchmarks"/> measures the sustained throughput instead.
/// </summary>
[MemoryDiagnoser]
public class MelCallerBenchmarks
{
    public const int Burst = 4000;

    private MelPeer _peer = null!;

    [ParamsAllValues]
    public MelProvider Provider { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _peer = new MelPeer(path: null, Provider);
        _peer.WarmUp();
    }

    [GlobalCleanup]
    public void Cleanup() => _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup]
    public void WaitForDrain() => _peer.WaitDelivered(TimeSpan.FromSeconds(60));

    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void LoggerMessage3Args() => _peer.EnabledBurst(Burst);
}
