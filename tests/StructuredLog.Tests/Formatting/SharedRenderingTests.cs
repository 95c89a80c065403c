using System.Buffers;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Sinks;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Formatting;

public sealed class SharedRenderingTests
{
    private sealed class CountingFormatter : ILogFormatter
    {
        public int Calls;
        public void Format(in LogEvent logEvent, IBufferWriter<byte> output)
        {
            Calls++;
            JsonFormatter.Default.Format(logEvent, output);
        }
    }

    [Fact]
    public async Task Three_sinks_with_one_formatter_share_one_rendering_per_event()
    {
        var formatter = new CountingFormatter();
        var a = new CollectingSink(formatter);
        var b = new CollectingSink(formatter);
        var c = new CollectingSink(formatter);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(a).WriteTo(b, isolate: false).WriteTo(c).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("R");
            for (int i = 0; i < 100; i++) log.Info("event {I}", i);
        }
        Assert.Equal(100, formatter.Calls);
        Assert.Equal(a.Events.Select(e => e.Formatted), c.Events.Select(e => e.Formatted));
        Assert.Equal(100, b.Events.Count);
    }

    private sealed class WrappingFormatter(ILogFormatter inner) : ILogFormatter
    {
        public void Format(in LogEvent logEvent, IBufferWriter<byte> output)
        {
            var head = "wrapped: "u8;
            head.CopyTo(output.GetSpan(head.Length));
            output.Advance(head.Length);
            var body = logEvent.GetFormatted(inner); // nested: must not disturb this rendering
            body.CopyTo(output.GetSpan(body.Length));
            output.Advance(body.Length);
        }
    }

    [Fact]
    public async Task A_formatter_may_ask_for_another_formatting_of_the_same_event()
    {
        var wrapped = new CollectingSink(new WrappingFormatter(LogfmtFormatter.Default));
        var plain = new CollectingSink(LogfmtFormatter.Default);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(wrapped, isolate: false).WriteTo(plain, isolate: false).FlushOnProcessExit(false).Build())
        {
            for (int i = 0; i < 50; i++) pipeline.GetLogger("W").Info("event {I} {S}", i, new string('y', i * 100));
        }
        Assert.Equal(plain.Events.Select(e => "wrapped: " + e.Formatted), wrapped.Events.Select(e => e.Formatted));
    }

    [Fact]
    public async Task The_self_log_reports_a_failing_sink_at_a_bounded_rate()
    {
        var messages = new List<string>();
        SelfLog.Enable(m => { lock (messages) messages.Add(m); });
        try
        {
            await using (var pipeline = new LogPipelineBuilder().WriteTo(new AlwaysThrows(), name: "broken", isolate: false).WriteTo(new NullSink(), isolate: false)
                             .WriterBatchSize(1).FlushOnProcessExit(false).Build())
            {
                var log = pipeline.GetLogger("S");
                for (int i = 0; i < 200; i++) log.Info("e {I}", i);
                await pipeline.FlushAsync();
                Assert.True(pipeline.SinkStatuses[0].Failures >= 100);
            }
            lock (messages)
            {
                var fromSink = messages.Where(m => m.Contains("[broken]")).ToList();
                Assert.InRange(fromSink.Count, 1, SelfLog.MaxMessagesPerInterval);
                Assert.Contains("Emit threw InvalidOperationException", fromSink[0]);
            }
        }
        finally
        {
            SelfLog.Disable();
        }
    }

    private sealed class AlwaysThrows : ILogSink
    {
        public void Emit(ReadOnlySpan<LogEvent> batch) => throw new InvalidOperationException("nope");
        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
