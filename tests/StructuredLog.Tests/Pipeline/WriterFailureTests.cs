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
        var stopped = Stopwatch.StartNew();
        while (!pipeline.Writer.Stopped && stopped.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
        Assert.True(pipeline.Writer.Stopped, "the injected failure did not stop the writer");

        // Far more events than the ring holds: with the writer gone, a waiting caller would never return.
        var calls = Task.Run(() => { for (int i = 0; i < 1_000; i++) log.Info("after {N}", i); });
        await calls.WaitAsync(TimeSpan.FromSeconds(10));
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(pipeline.GetDroppedCount(DropReason.WriterFailed) >= 1_000 - 64, $"{pipeline.GetDroppedCount(DropReason.WriterFailed)} counted");
        Assert.Equal(pipeline.GetDroppedCount(DropReason.WriterFailed), pipeline.EventsLost);
        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
