using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// StructuredLog: the default pipeline with a ring of 16,384 events (backpressure Wait), JSON lines through
/// the core <see cref="StreamSink"/> with <see cref="Formatting.JsonFormatter.Default"/> and
/// <see cref="QueueFullMode.Block"/> (lossless, as the peers are configured); the null
/// target is a sink whose <c>Emit</c> only counts. With <c>coarseClock</c> (the extra case
/// <see cref="Library.StructuredLogCoarseClock"/>) the only difference is <see cref="TimestampPrecision.Coarse"/>.
/// With <c>threadLanes</c> (the extra case <see cref="Library.StructuredLogThreadLanes"/>) the only difference is
/// <see cref="LogPipelineBuilder.ThreadLanes"/> with rings of 16,384 events, as large as the one ring. The environment
/// variable <c>SL_SERIAL_FORMATTING=1</c> builds every StructuredLog case with <c>ParallelFormatting(false)</c> (for A/B
/// runs such as <c>SL_SERIAL_FORMATTING=1 benchmarks/ab.sh HEAD</c>, where only the new side reads it).
/// </summary>
public sealed class StructuredLogPeer : Peer
{
    private readonly LogPipeline _pipeline;
    private readonly Logger _log;
    private readonly CountingSink? _counter;
    private readonly StreamSink? _file;

    public StructuredLogPeer(string? path, bool coarseClock = false, bool threadLanes = false)
        : base(coarseClock ? Library.StructuredLogCoarseClock : threadLanes ? Library.StructuredLogThreadLanes : Library.StructuredLog)
    {
        var builder = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false);
        if (coarseClock) builder.TimestampPrecision(TimestampPrecision.Coarse);
        if (threadLanes) builder.ThreadLanes(16_384);
        // For experiments (benchmarks.md, "Commands"): SL_SERIAL_FORMATTING=1 turns the format worker off.
        if (Environment.GetEnvironmentVariable("SL_SERIAL_FORMATTING") == "1") builder.ParallelFormatting(false);
        // The counting null target returns at once: called inline on the writer thread (isolate: false).
        if (path is null) builder.WriteTo(_counter = new CountingSink(), isolate: false);
        else
        {
            // Lossless like the peers (Block / blockWhenFull): when the file falls behind, the writer waits for room
            // instead of dropping. The check after each end-to-end iteration would fail a lossy one anyway.
            var options = StreamSink.CreateDefaultOptions();
            options.FullMode = QueueFullMode.Block;
            builder.WriteTo(_file = new StreamSink(path, options: options));
        }
        _pipeline = builder.Build();
        _log = _pipeline.GetLogger("Benchmarks.Orders");
    }

    public override long Delivered => _counter?.Count ?? _pipeline.EventsProcessed;

    /// <summary>Drops at the ring (full or shut down) and at a stalled sink; drops in the file sink's own queue and events whose write failed.</summary>
    public override long ReportedLost =>
        _pipeline.EventsLost + _pipeline.SinkStatuses.Sum(s => s.EventsDropped) + (_file?.EventsDropped ?? 0) + (_file?.EventsFailed ?? 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void DisabledBurst(int count)
    {
        var log = _log;
        for (int i = 0; i < count; i++) log.Debug(Template, i, 1.5, "alice");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LogBurst(int start, int count, int exceptionEvery)
    {
        var log = _log;
        int end = start + count;
        for (int i = start; i < end; i++)
        {
            if (exceptionEvery > 0 && i % exceptionEvery == 0) log.Error(SampleException, ErrorTemplate, i);
            else log.Info(Template, i, i * 0.25, Customer(i));
        }
    }

    protected override IDisposable BeginScope(string name, int value) => _log.BeginScope(name, value);

    public override Task FlushAsync() => _pipeline.FlushAsync();

    public override async ValueTask DisposeAsync() => await _pipeline.DisposeAsync();

    /// <summary>A sink that only counts (the writer still materialises every event).</summary>
    public sealed class CountingSink : ILogSink
    {
        private long _count;

        public long Count => Volatile.Read(ref _count);

        public void Emit(ReadOnlySpan<LogEvent> batch) => Volatile.Write(ref _count, _count + batch.Length);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
