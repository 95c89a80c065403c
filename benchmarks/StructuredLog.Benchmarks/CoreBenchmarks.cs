using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Benchmarks;

/// <summary>
/// The calling thread's cost in StructuredLog alone: a disabled call and an enabled call with three
/// typed arguments (int, double, string) into the ring, the writer draining to a sink that does
/// nothing, in both call styles. An enabled iteration is a burst of <see cref="Burst"/> calls, smaller
/// than the ring (16,384), and the ring is drained before each iteration (not timed), so the figure is
/// the caller's cost, not the writer's throughput. The "coarse clock" cases use a second pipeline built
/// with <see cref="TimestampPrecision.Coarse"/>.
/// </summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    public const int Burst = 4096;

    private LogPipeline _pipeline = null!;
    private Logger _log = null!;
    private NullSink _sink = null!;
    private LogPipeline _coarsePipeline = null!;
    private Logger _coarseLog = null!;
    private NullSink _coarseSink = null!;
    private int _a = 42;
    private double _b = 3.25;
    private string _c = "alice";

    [GlobalSetup]
    public void Setup()
    {
        _sink = new NullSink();
        // Ring of 16,384 as recorded in docs/benchmarks.md; the no-op sink returns at once, so it is called inline (not isolated).
        _pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false).WriteTo(_sink, isolate: false).Build();
        _log = _pipeline.GetLogger("Benchmarks.Core");
        // The same with TimestampPrecision.Coarse: calls read the shared clock value instead of the system clock.
        _coarseSink = new NullSink();
        _coarsePipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false)
            .TimestampPrecision(TimestampPrecision.Coarse).WriteTo(_coarseSink, isolate: false).Build();
        _coarseLog = _coarsePipeline.GetLogger("Benchmarks.Core");
        // An enabled iteration is one invocation: warm the callees up to tier 1 here, before BenchmarkDotNet's
        // few warm-up invocations (the benchmark methods themselves are compiled fully optimised).
        for (int i = 0; i < 40; i++)
        {
            EnabledTemplate();
            EnabledInterpolated();
            EnabledTemplateCoarse();
            EnabledInterpolatedCoarse();
            Drain();
            if (i % 10 == 9) Thread.Sleep(150); // let the tiering delay expire and the background JIT run
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.Dispose();
        _coarsePipeline.Dispose();
    }

    /// <summary>Waits until the writer has drained the ring (called by the enabled benchmarks' iteration setup).</summary>
    public void Drain()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var spin = new SpinWait();
        while (_sink.Count < _pipeline.EventsEnqueued || _coarseSink.Count < _coarsePipeline.EventsEnqueued)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the writer did not drain the ring");
            spin.SpinOnce(sleep1Threshold: 20);
        }
    }

    [Benchmark(Description = "Disabled, template")]
    public void DisabledTemplate() => _log.Debug("Processed order {A} in {B} ms for {C}", _a, _b, _c);

    [Benchmark(Description = "Disabled, interpolated")]
    public void DisabledInterpolated() => _log.Debug($"Processed order {_a} in {_b} ms for {_c}");

    [IterationSetup(Targets = [nameof(EnabledTemplate), nameof(EnabledInterpolated), nameof(EnabledTemplateCoarse), nameof(EnabledInterpolatedCoarse)])]
    public void BeforeBurst() => Drain();

    [Benchmark(Description = "Enabled 3 args, template", OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnabledTemplate()
    {
        var log = _log;
        int a = _a;
        double b = _b;
        string c = _c;
        for (int i = 0; i < Burst; i++) log.Info("Processed order {A} in {B} ms for {C}", a + i, b, c);
    }

    [Benchmark(Description = "Enabled 3 args, interpolated", OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnabledInterpolated()
    {
        var log = _log;
        int a = _a;
        double b = _b;
        string c = _c;
        for (int i = 0; i < Burst; i++) log.Info($"Processed order {a} in {b} ms for {c}");
    }

    [Benchmark(Description = "Enabled 3 args, template, coarse clock", OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnabledTemplateCoarse()
    {
        var log = _coarseLog;
        int a = _a;
        double b = _b;
        string c = _c;
        for (int i = 0; i < Burst; i++) log.Info("Processed order {A} in {B} ms for {C}", a + i, b, c);
    }

    [Benchmark(Description = "Enabled 3 args, interpolated, coarse clock", OperationsPerInvoke = Burst)]
    [InvocationCount(1)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnabledInterpolatedCoarse()
    {
        var log = _coarseLog;
        int a = _a;
        double b = _b;
        string c = _c;
        for (int i = 0; i < Burst; i++) log.Info($"Processed order {a} in {b} ms for {c}");
    }

    /// <summary>A sink that does nothing but count.</summary>
    public sealed class NullSink : ILogSink
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Emit(ReadOnlySpan<LogEvent> batch) => Volatile.Write(ref _count, _count + batch.Length);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
