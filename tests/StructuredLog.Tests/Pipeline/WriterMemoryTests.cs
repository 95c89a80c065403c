using System.Runtime.CompilerServices;
using StructuredLog.Pipeline;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>The writer's per-event records are created as batches grow, not all up front.</summary>
public sealed class WriterMemoryTests
{
    [Fact]
    public async Task A_new_pipeline_allocates_its_ring_but_not_a_record_per_event_of_a_batch()
    {
        long allocated = 0;
        LogPipeline? pipeline = null;
        var sink = new CollectingSink();
        // Build on a thread of its own so that only the builder's allocations are counted.
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            pipeline = new LogPipelineBuilder().BufferSize(8192).WriterBatchSize(4096).WriteTo(sink)
                .FlushOnProcessExit(false).Build();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        await using var _ = pipeline!;
        long ring = 8192L * (Unsafe.SizeOf<EventSlot>() + Unsafe.SizeOf<ColdSlot>());
        // 4,096 records made up front would add about 2.5 MB (each with its property array).
        Assert.True(allocated < ring + 512 * 1024, $"building the pipeline allocated {allocated:N0} B; its ring is {ring:N0} B");

        // Records appear once events need them, and the events are written.
        var log = pipeline!.GetLogger("memory");
        for (int i = 0; i < 10_000; i++) log.Info("event {N}", i);
        await pipeline.FlushAsync();
        Assert.Equal(10_000, sink.Events.Count);
    }
}
