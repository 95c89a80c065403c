using BenchmarkDotNet.Attributes;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// Workloads 2 and 3: enabled Info calls with (int, double, string) into each library's async path,
/// whose background side drains to a null target that only counts. One iteration is a burst of
/// <see cref="Burst"/> events spread over 1, 2 or 4 producer threads; the burst is smaller than every
/// library's queue (10,000 for Serilog.Sinks.Async and NLog's AsyncTargetWrapper, 16,384 for
/// StructuredLog), and before each iteration the null target must have received every event sent so
/// far (not timed). The result is the caller's cost per event.
/// </summary>
[MemoryDiagnoser]
public class PeerCallerBenchmarks
{
    public const int Burst = 4000;

    private Peer _peer = null!;
    private ProducerGroup _group = null!;
    private Action<int> _burst = null!;

    [ParamsAllValues]
    public Library Library { get; set; }

    [Params(1, 2, 4)]
    public int Producers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _peer = Peer.Create(Library, path: null);
        _burst = _peer.EnabledBurst;
        _group = new ProducerGroup(Producers);
        _peer.WarmUp();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _group.Dispose();
        _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void WaitForDrain() => _peer.WaitDelivered(TimeSpan.FromSeconds(60));

    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void Enabled3Args() => _group.Run(_burst, Burst);
}
