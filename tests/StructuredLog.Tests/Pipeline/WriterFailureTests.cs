using System.Diagnostics;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>A writer thread that fails (a bug) must not take the application with it.</summary>
public sealed class WriterFailureTests
{
    [Fact]
    public async Task Callers_under_the_wait_policy_and_flushes_return_when_the_writer_has_failed()
    {
        var sink = new CollectingSink();
        var pipeline = new LogPipelineBuilder().BufferSize(64).Backpressure(BackpressurePolicy.Wait).WriteTo(sink)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("failure");
        log.Info("before {N}", 1);
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(sink.Events);

        pipeline.Writer.FailForTest();
        await AssertWriterStops(pipeline);

        // Far more events than the ring holds: with the writer gone, a waiting caller would never return.
        var calls = Task.Run(() => { for (int i = 0; i < 1_000; i++) log.Info("after {N}", i); });
        await calls.WaitAsync(TimeSpan.FromSeconds(10));
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        // The failed writer closed the ring: every call is counted, none fills the ring unseen.
        Assert.Equal(1_000, pipeline.GetDroppedCount(DropReason.WriterFailed));
        Assert.Equal(1_000, pipeline.EventsLost);
        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, pipeline.GetDroppedCount(DropReason.Shutdown));
        Assert.Equal(1_000, pipeline.EventsLost);
    }

    [Fact]
    public async Task Events_still_in_the_ring_when_the_writer_fails_are_counted_at_once()
    {
        var sink = new StalledSink();
        // DropNewest: a policy that would otherwise count a call that finds no room as QueueFull.
        var pipeline = new LogPipelineBuilder().BufferSize(64).Backpressure(BackpressurePolicy.DropNewest).WriteTo(sink, isolate: false)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("failure");
        log.Info("held {N}", 0);
        Assert.True(sink.Entered.Wait(TimeSpan.FromSeconds(10)), "the writer never reached the sink");

        // The writer is inside the sink's Emit: these wait in the ring.
        for (int i = 1; i <= 30; i++) log.Info("pending {N}", i);
        pipeline.Writer.FailForTest();
        var flush = pipeline.FlushAsync(); // a pending flush sends the writer to its housekeeping (where the failure is injected) right after this batch
        sink.Release.Set();
        await flush.WaitAsync(TimeSpan.FromSeconds(10));
        await AssertWriterStops(pipeline);

        // Counted when the writer failed, not at disposal.
        Assert.Equal(1, Interlocked.Read(ref sink.Delivered));
        Assert.Equal(30, pipeline.GetDroppedCount(DropReason.WriterFailed));
        Assert.Equal(30, pipeline.EventsLost);

        log.Info("after {N}", 31);
        Assert.Equal(31, pipeline.GetDroppedCount(DropReason.WriterFailed));

        // Disposal counts nothing twice.
        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, pipeline.GetDroppedCount(DropReason.Shutdown));
        Assert.Equal(31, pipeline.EventsLost);
    }

    private static async Task AssertWriterStops(LogPipeline pipeline)
    {
        var stopped = Stopwatch.StartNew();
        while (!pipeline.Writer.Stopped && stopped.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
        Assert.True(pipeline.Writer.Stopped, "the injected failure did not stop the writer");
    }
}
