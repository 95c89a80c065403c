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

    /// <summary>A sink that does its I/O inside Emit and hangs there (and in DisposeAsync) until released.</summary>
    private sealed class BlockingSink : ILogSink
    {
        public readonly ManualResetEventSlim Release = new(false);
        public readonly ManualResetEventSlim Blocked = new(false);
        public long Received;
        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            Blocked.Set();
            Release.Wait();
            Received += batch.Length;
        }
        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync()
        {
            Release.Wait(TimeSpan.FromSeconds(30));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_sink_blocking_inside_Emit_costs_one_stall_timeout_then_is_skipped_and_resumes()
    {
        var throwing = new ThrowingSink();
        var blocking = new BlockingSink();
        var good = new CountingSink(1);
        var pipeline = new LogPipelineBuilder()
            .WriteTo(throwing).WriteTo(blocking, name: "blocking").WriteTo(good)
            .SinkStallTimeout(TimeSpan.FromMilliseconds(300))
            .ShutdownTimeout(TimeSpan.FromSeconds(2))
            .FlushOnProcessExit(false)
            .Build();
        var log = pipeline.GetLogger("Faults");

        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5_000; i++) log.Info("{Producer} {Seq}", 0, i);
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5_000, good.Total);
        Assert.Equal(0, good.OrderViolations);
        Assert.True(blocking.Blocked.IsSet);
        var status = pipeline.SinkStatuses[1];
        Assert.True(status.Stalled);
        Assert.Equal(good.Total + good.Other, status.EventsDropped + blocking.Received); // every event, notices included, is either delivered or counted

        blocking.Release.Set();
        await WaitUntil(() => !pipeline.SinkStatuses[1].Stalled || blocking.Received > 0, TimeSpan.FromSeconds(10));
        log.Info("{Producer} {Seq}", 0, 5_000);
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => good.Notices.Any(n => n.Contains("resumed")), TimeSpan.FromSeconds(10));
        Assert.Contains(good.Notices, n => n.Contains("Sink blocking stalled"));
        Assert.False(pipeline.SinkStatuses[1].Stalled);
        Assert.Equal(5_001, good.Total);

        blocking.Release.Reset(); // it will hang again, in Emit and in DisposeAsync
        log.Info("{Producer} {Seq}", 0, 5_001);
        sw.Restart();
        await pipeline.DisposeAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(6), $"shutdown took {sw.Elapsed}");
        Assert.Equal(5_002, good.Total);
        blocking.Release.Set();
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
