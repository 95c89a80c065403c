using BenchmarkDotNet.Attributes;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>Workload 1: a call whose level (Debug) is below the minimum (Info), 3 arguments, every library.</summary>
[MemoryDiagnoser]
public class PeerDisabledBenchmarks
{
    public const int Calls = 1000;

    private Peer _peer = null!;

    [ParamsAllValues]
    public Library Library { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _peer = Peer.Create(Library, path: null);
        _peer.WarmUp();
    }

    [GlobalCleanup]
    public void Cleanup() => _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Calls)]
    public void Disabled() => _peer.DisabledBurst(Calls);
}
