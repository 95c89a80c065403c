using System.Diagnostics.Metrics;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Diagnostics;

public sealed class MetricsTests
{
    [Fact]
    public async Task The_StructuredLog_meter_reports_enqueued_dropped_emitted_and_depth()
    {
        var sink = new NullSink();
        var pipeline = new LogPipelineBuilder().Sample(StructuredLog.Filtering.SamplingRule.OneIn(2)).WriteTo(sink, name: "null").FlushOnProcessExit(false).Build();
        var measurements = new List<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == "StructuredLog") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((inst, value, tags, _) =>
        {
            var d = new Dictionary<string, object?>();
            foreach (var t in tags) d[t.Key] = t.Value;
            lock (measurements) measurements.Add((inst.Name, value, d));
        });
        double batchMs = -1;
        listener.SetMeasurementEventCallback<double>((inst, value, _, _) => { if (inst.Name == "structuredlog.batch.duration") batchMs = value; });
        listener.Start();

        var log = pipeline.GetLogger("M");
        for (int i = 0; i < 10; i++) log.Info("m {I}", i);
        await pipeline.FlushAsync();
        listener.RecordObservableInstruments();
        await pipeline.DisposeAsync();

        long Last(string name, string? tag = null, string? value = null) =>
            measurements.Last(m => m.Name == name && (tag is null || Equals(m.Tags.GetValueOrDefault(tag), value))).Value;
        Assert.Equal(10, Last("structuredlog.events.enqueued"));
        Assert.Equal(5, Last("structuredlog.events.dropped", "reason", "Sampled"));
        Assert.Equal(0, Last("structuredlog.events.dropped", "reason", "QueueFull"));
        Assert.Equal(5, Last("structuredlog.sink.events.emitted", "sink", "null"));
        Assert.Equal(0, Last("structuredlog.queue.depth"));
        Assert.True(batchMs >= 0);
    }
}
