using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

public sealed class FlushTests
{
    [Fact]
    public async Task FlushAsync_completes_while_other_threads_keep_the_writer_busy()
    {
        var sink = new CountingSink(2);
        await using var pipeline = new LogPipelineBuilder().BufferSize(1024).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Busy");
        using var stop = new CancellationTokenSource();
        var noise = new Thread(() =>
        {
            int s = 0;
            while (!stop.IsCancellationRequested) log.Info("{Producer} {Seq}", 1, s++);
        });
        noise.Start();
        try
        {
            for (int i = 0; i < 1000; i++) log.Info("{Producer} {Seq}", 0, i);
            await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(1000, sink.NextExpected(0));
        }
        finally
        {
            stop.Cancel();
            noise.Join();
        }
    }

    [Fact]
    public async Task Dispose_writes_every_event_logged_before_it()
    {
        var sink = new CountingSink(1);
        var pipeline = new LogPipelineBuilder().BufferSize(128).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Dispose");
        for (int i = 0; i < 100_000; i++) log.Info("{Producer} {Seq}", 0, i);
        pipeline.Dispose();
        Assert.Equal(100_000, sink.Total);
        Assert.Equal(0, pipeline.EventsLost);
    }
}
