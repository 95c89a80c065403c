using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(8192)]
    [InlineData(64)]
    public async Task Every_event_from_eight_producers_arrives_exactly_once_in_per_thread_order(int bufferSize)
    {
        const int producers = 8;
        const int perProducer = 250_000;
        var sink = new CountingSink(producers);
        var pipeline = new LogPipelineBuilder()
            .BufferSize(bufferSize)
            .Backpressure(BackpressurePolicy.Wait)
            .WriteTo(sink)
            .FlushOnProcessExit(false)
            .Build();
        var log = pipeline.GetLogger("Load");

        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (int s = 0; s < perProducer; s++) log.Info("{Producer} {Seq}", p, s);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await pipeline.DisposeAsync();

        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal((long)producers * perProducer, sink.Total);
        for (int p = 0; p < producers; p++) Assert.Equal(perProducer, sink.NextExpected(p));
        Assert.Equal(0, pipeline.EventsLost);
        Assert.Equal((long)producers * perProducer, pipeline.EventsEnqueued);
    }

    [Fact]
    public async Task Interpolated_calls_from_many_threads_arrive_exactly_once()
    {
        const int producers = 4;
        const int perProducer = 50_000;
        var sink = new CountingSink(producers);
        var pipeline = new LogPipelineBuilder().BufferSize(256).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Load");
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (int s = 0; s < perProducer; s++) log.Info($"producer {p} seq {s}");
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await pipeline.DisposeAsync();

        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal((long)producers * perProducer, sink.Total);
    }
}
