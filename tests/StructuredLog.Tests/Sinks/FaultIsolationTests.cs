using System.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Sinks;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Sinks;

public sealed class FaultIsolationTests
{
    private sealed class ThrowingSink : ILogSink
    {
        public int Calls;
        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            Calls++;
            throw new InvalidOperationException("sink is broken");
        }
        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => throw new IOException("flush broken");
        public ValueTask DisposeAsync() => throw new IOException("dispose broken");
    }

    /// <summary>An I/O sink whose destination hangs: each write blocks for seconds (until cancelled).</summary>
    private sealed class HangingSink() : BatchingSink("hanging", JsonFormatter.Default,
        new BatchingOptions { WriteTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0, ShutdownTimeout = TimeSpan.FromSeconds(1), BatchSizeLimit = 10 })
    {
        public int Attempts;
        protected override async Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    [Fact]
    public async Task A_throwing_sink_and_a_hanging_sink_do_not_stop_a_third_sink_nor_reach_callers()
    {
        var throwing = new ThrowingSink();
        var hanging = new HangingSink();
        var good = new CountingSink(1);
        var pipeline = new LogPipelineBuilder()
            .WriteTo(throwing).WriteTo(hanging).WriteTo(good)
            .ShutdownTimeout(TimeSpan.FromSeconds(3))
            .FlushOnProcessExit(false)
            .Build();
        var log = pipeline.GetLogger("Faults");

        for (int i = 0; i < 5_000; i++) log.Info("{Producer} {Seq}", 0, i);
        var flush = pipeline.FlushAsync();
        // The hanging sink's flush cannot finish quickly; the good sink has everything regardless.
        await WaitUntil(() => good.Total == 5_000, TimeSpan.FromSeconds(10));
        Assert.Equal(0, good.OrderViolations);
        Assert.True(throwing.Calls > 0);
        Assert.True(pipeline.SinkStatuses[0].Failures > 0);
        Assert.Equal(5_000, pipeline.SinkStatuses[2].EventsEmitted);

        var sw = Stopwatch.StartNew();
        await pipeline.DisposeAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"shutdown took {sw.Elapsed}");
        Assert.True(hanging.Attempts > 0);
        Assert.True(hanging.EventsFailed + hanging.EventsDropped + hanging.QueuedEvents > 0);
        _ = flush; // may complete or not; it must never throw into the app
    }

    [Fact]
    public async Task A_formatter_that_throws_still_yields_a_valid_json_line_for_the_event()
    {
        var sink = new CollectingSink(new ExplodingFormatter());
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        pipeline.GetLogger("F").Info("hello {Who}", "world");
        await pipeline.FlushAsync();
        Assert.True(sink.Events.TryDequeue(out var e));
        using var doc = System.Text.Json.JsonDocument.Parse(e!.Formatted!);
        Assert.Equal("hello {Who}", doc.RootElement.GetProperty("@mt").GetString());
        Assert.Contains("ExplodingFormatter", doc.RootElement.GetProperty("@formatter_error").GetString());
    }

    private sealed class ExplodingFormatter : ILogFormatter
    {
        public void Format(in LogEvent logEvent, System.Buffers.IBufferWriter<byte> output)
        {
            output.GetSpan(3)[0] = (byte)'{';
            output.Advance(1);
            throw new FormatException("boom");
        }
    }

    internal static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException("condition not met within " + timeout);
            await Task.Delay(10);
        }
    }
}
