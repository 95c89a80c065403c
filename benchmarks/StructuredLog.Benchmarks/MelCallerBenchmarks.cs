using BenchmarkDotNet.Attributes;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The caller's cost of a <c>[LoggerMessage]</c> call (int, double, string), of the same event through the
/// <c>LogInformation</c> extension, and of the <c>[LoggerMessage]</c> call inside a request's scopes (5 pairs, or 13 with an
/// MVC action's and a handler's), through each library's
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
        // The LogInformation and scoped paths too (their own provider code), to tier 1 before measuring.
        var peer = _peer;
        peer.WarmUp(more: n =>
        {
            peer.LogInformationBurst(n);
            peer.ScopedBurst(n);
            peer.DeepScopedBurst(n);
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup]
    public void WaitForDrain() => _peer.WaitDelivered(TimeSpan.FromSeconds(60));

    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void LoggerMessage3Args() => _peer.EnabledBurst(Burst);

    /// <summary>The same event through the <c>LogInformation</c> extension (MEL boxes the int and the double and allocates the params array).</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void LogInformation3Args() => _peer.LogInformationBurst(Burst);

    /// <summary>The <c>[LoggerMessage]</c> call inside a request's scopes: a list of pairs, a dictionary and the activity's trace and span ids.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void LoggerMessageInScopes() => _peer.ScopedBurst(Burst);

    /// <summary>The same inside four scopes of 13 pairs in all (request, MVC action, a dictionary, a handler's six pairs), and the activity.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    public void LoggerMessageInDeepScopes() => _peer.DeepScopedBurst(Burst);
}
