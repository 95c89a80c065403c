using StructuredLog.Events;
using StructuredLog.Sinks;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

public sealed class BackpressureTests
{
    [Fact]
    public async Task DropNewest_counts_every_dropped_event_exactly_and_reports_it()
    {
        var sink = new StalledSink();
        var pipeline = new LogPipelineBuilder()
            .BufferSize(64)
            .WriterBatchSize(1)
            .Backpressure(BackpressurePolicy.DropNewest)
            .WriteTo(sink)
            .FlushOnProcessExit(false)
            .Build();
        var log = pipeline.GetLogger("Drops");

        log.Info("first {N}", -1);
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)), "writer never reached the sink");
        const int attempts = 1000;
        for (int i = 0; i < attempts; i++) log.Info("event {N}", i);

        long dropped = pipeline.GetDroppedCount(DropReason.QueueFull);
        // The writer is stuck on the first event: exactly the ring's capacity was accepted behind it.
        Assert.Equal(attempts - 64, dropped);
        sink.Release.Set();
        await pipeline.FlushAsync();
        await pipeline.DisposeAsync();

        Assert.Equal(1 + 64, sink.Delivered);
        Assert.Equal(dropped, sink.ReportedDropped);
        Assert.True(sink.DropReports >= 1);
        Assert.Equal(dropped, pipeline.EventsLost);
    }

    [Fact]
    public async Task Wait_policy_loses_nothing_when_the_sink_is_slower_than_the_producer()
    {
        var sink = new CountingSink(1);
        var slow = new SlowSink(sink, TimeSpan.FromMilliseconds(1));
        var pipeline = new LogPipelineBuilder().BufferSize(64).WriterBatchSize(16).WriteTo(slow).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Slow");
        for (int i = 0; i < 2_000; i++) log.Info("{Producer} {Seq}", 0, i);
        await pipeline.DisposeAsync();
        Assert.Equal(2_000, sink.Total);
        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal(0, pipeline.EventsLost);
    }

    [Fact]
    public async Task A_caller_blocked_on_a_full_ring_is_woken_by_the_writer_when_it_frees_cells()
    {
        var sink = new StalledSink();
        var pipeline = new LogPipelineBuilder().BufferSize(64).WriterBatchSize(16).WriteTo(sink)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Blocked");
        log.Info("first");
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)), "writer never reached the sink");

        // The writer is held inside the sink: 64 calls fill the ring, the 65th blocks until the writer frees cells.
        const int calls = 300;
        var caller = Task.Run(() => { for (int i = 0; i < calls; i++) log.Info("event {N}", i); });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pipeline.RoomWaits.Begun == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the caller never blocked on the full ring");
            await Task.Yield();
        }
        Assert.False(caller.IsCompleted);

        sink.Release.Set();
        await caller.WaitAsync(TimeSpan.FromSeconds(10));
        // Each of the writer's reads of the ring after the release frees cells and signals: the caller's last waits
        // ended on that signal, not on their time slice (10 ms, a safety net only).
        Assert.True(pipeline.RoomWaits.Signalled > 0, $"no wait ended on the writer's signal ({pipeline.RoomWaits})");
        await pipeline.DisposeAsync();
        Assert.Equal(1 + calls, Interlocked.Read(ref sink.Delivered));
        Assert.Equal(0, pipeline.EventsLost);
    }

    [Fact]
    public async Task WaitThenDrop_gives_up_after_its_timeout_and_counts()
    {
        var sink = new StalledSink();
        var pipeline = new LogPipelineBuilder()
            .BufferSize(64).WriterBatchSize(1)
            .Backpressure(BackpressurePolicy.WaitThenDrop, TimeSpan.FromMilliseconds(20))
            .WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Drops");
        log.Info("first");
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 70; i++) log.Info("event {N}", i);
        Assert.Equal(70 - 64, pipeline.GetDroppedCount(DropReason.QueueFull));
        sink.Release.Set();
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task Events_logged_after_dispose_are_counted_as_lost_not_thrown()
    {
        var sink = new NullSink();
        var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Late");
        log.Info("before");
        await pipeline.DisposeAsync();
        log.Info("after {X}", 1);
        log.Error($"after {2}");
        Assert.Equal(1, sink.Count);
        Assert.Equal(2, pipeline.GetDroppedCount(DropReason.Shutdown));
    }

    private sealed class SlowSink(ILogSink inner, TimeSpan delay) : ILogSink
    {
        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            Thread.Sleep(delay); // simulates a slow device; correctness does not depend on the timing
            inner.Emit(batch);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
