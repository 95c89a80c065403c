using System.Diagnostics.Metrics;
using StructuredLog.Sinks;

namespace StructuredLog.Diagnostics;

/// <summary>
/// The pipeline's instruments on the meter <c>StructuredLog</c>. Counters are observed from fields the
/// pipeline keeps anyway, so the logging hot path pays nothing for them.
/// </summary>
internal sealed class PipelineMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "StructuredLog";

    private static int s_nextId;
    private readonly Meter _meter;

    public PipelineMetrics(LogPipeline pipeline)
    {
        _meter = new Meter(MeterName, typeof(PipelineMetrics).Assembly.GetName().Version?.ToString());
        var id = new KeyValuePair<string, object?>("pipeline", Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture));

        _meter.CreateObservableCounter("structuredlog.events.enqueued", () => new Measurement<long>(pipeline.EventsEnqueued, id), "{event}", "Events accepted into the ring buffer");
        _meter.CreateObservableCounter("structuredlog.events.dropped", () =>
            Enum.GetValues<DropReason>().Select(r => new Measurement<long>(pipeline.GetDroppedCount(r), id, new("reason", r.ToString()))),
            "{event}", "Events dropped before the sinks, by reason");
        _meter.CreateObservableGauge("structuredlog.queue.depth", () => new Measurement<long>(pipeline.QueueDepth, id), "{event}", "Events waiting in the ring buffer");
        _meter.CreateObservableCounter("structuredlog.sink.events.emitted", () =>
            pipeline.Sinks.Select(s => new Measurement<long>(Interlocked.Read(ref s.EventsEmitted), id, new("sink", s.Name))),
            "{event}", "Events handed to each sink");
        _meter.CreateObservableCounter("structuredlog.sink.failures", () =>
            pipeline.Sinks.Select(s => new Measurement<long>(Interlocked.Read(ref s.Failures), id, new("sink", s.Name))),
            "{batch}", "Batches on which a sink threw");
        _meter.CreateObservableCounter("structuredlog.sink.events.dropped", () =>
            pipeline.Sinks.Select(s => new Measurement<long>(Interlocked.Read(ref s.EventsDropped), id, new("sink", s.Name))),
            "{event}", "Events not given to a sink because it was stalled");
        _meter.CreateObservableCounter("structuredlog.sink.events.written", () =>
            pipeline.Sinks.Where(s => s.Sink is ISinkCounters).Select(s => new Measurement<long>(((ISinkCounters)s.Sink).EventsWritten, id, new("sink", s.Name))),
            "{event}", "Events delivered to each sink's destination");
        _meter.CreateObservableCounter("structuredlog.sink.events.failed", () =>
            pipeline.Sinks.Where(s => s.Sink is ISinkCounters).Select(s => new Measurement<long>(((ISinkCounters)s.Sink).EventsFailed + ((ISinkCounters)s.Sink).EventsDropped, id, new("sink", s.Name))),
            "{event}", "Events a sink failed to deliver or dropped");
        var latency = _meter.CreateHistogram<double>("structuredlog.batch.duration", "ms", "Time the writer spends on one batch (formatting and Emit of every sink)");
        pipeline.Writer.BatchDuration = ms => latency.Record(ms, id);
    }

    public void Dispose() => _meter.Dispose();
}
