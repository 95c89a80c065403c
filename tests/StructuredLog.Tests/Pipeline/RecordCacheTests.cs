using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Pipeline;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>The process-wide cache is shared by every pipeline: these tests run alone, not beside other tests' pipelines.</summary>
[CollectionDefinition(nameof(RecordCacheCollection), DisableParallelization = true)]
public sealed class RecordCacheCollection;

/// <summary>
/// A stopped writer leaves its event records to the next pipeline built in the process (<see cref="RecordCache"/>):
/// they must carry nothing over, neither what the application logged nor anything of the pipeline that used them.
/// </summary>
[Collection(nameof(RecordCacheCollection))]
public sealed class RecordCacheTests
{
    private sealed class Payload(int id)
    {
        public override string ToString() => "payload-" + id;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference[] Logged, WeakReference Pipeline, EventRecord[] Records)> LogAndDispose(int batchSize)
    {
        var pipeline = new LogPipelineBuilder().WriterBatchSize(batchSize).WriteTo(new CollectingSink(), isolate: false)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("First");
        var refs = new List<WeakReference>();
        for (int i = 0; i < 3 * batchSize; i++)
        {
            var payload = new Payload(i);
            var failure = new InvalidOperationException("failed " + i);
            refs.Add(new WeakReference(payload));
            refs.Add(new WeakReference(failure));
            using (log.BeginScope("Scoped", payload)) log.Error(failure, "First {Id} with {Payload} at {Format:N2}", i, payload, 1.5);
        }
        await pipeline.DisposeAsync();
        return (refs.ToArray(), new WeakReference(pipeline), pipeline.Writer.Records);
    }

    [Fact]
    public async Task A_stopped_writers_records_go_to_the_next_pipeline_holding_nothing_of_the_first()
    {
        const int batch = 48; // a size no other test's pipeline uses
        var (logged, firstPipeline, records) = await LogAndDispose(batch);
        Assert.Same(records, RecordCache.Cached);
        // Records are created as batches first reach each size: how many depends on how far the writer fell behind.
        var created = records.Where(r => r is not null).ToArray();
        Assert.NotEmpty(created);
        Assert.All(created, r =>
        {
            Assert.Null(r.Exception);
            Assert.Null(r.Scope);
            Assert.Null(r.Template);
            Assert.Null(r.Arena);
            Assert.Null(r.RenderedFormatter);
            Assert.Null(r.RenderedBuffer);
            Assert.Equal("", r.Category);
            Assert.All(r.Properties, p => Assert.Equal(default, p));
        });
        bool released = SpinWait.SpinUntil(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !firstPipeline.IsAlive && logged.All(w => !w.IsAlive);
        }, TimeSpan.FromSeconds(20));
        Assert.True(released, "the cached records keep the first pipeline or what it logged alive");

        // The next pipeline with that batch size takes them over, and its events are its own.
        var sink = new CollectingSink();
        await using (var second = new LogPipelineBuilder().WriterBatchSize(batch).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build())
        {
            Assert.Same(records, second.Writer.Records);
            Assert.Null(RecordCache.Cached);
            var log = second.GetLogger("Second");
            for (int i = 0; i < 2 * batch; i++) log.Info("Second {Name}", "n" + i);
            await second.FlushAsync();
        }
        var events = sink.Events.ToArray();
        Assert.Equal(2 * batch, events.Length);
        for (int i = 0; i < events.Length; i++)
        {
            var e = events[i];
            Assert.Equal("Second", e.Category);
            Assert.Equal("Second {Name}", e.Template);
            Assert.Null(e.Exception);
            Assert.Null(e.TraceId);
            Assert.Equal($"Second n{i}", e.Message);
            Assert.Equal(["Name"], e.Properties.Keys);
            Assert.Equal("n" + i, e.Properties["Name"]);
        }
    }

    [Fact]
    public async Task A_set_nobody_took_is_let_go_and_a_different_batch_size_starts_afresh()
    {
        var (_, _, records) = await LogAndDispose(40);
        Assert.Same(records, RecordCache.Cached);
        await using (var other = new LogPipelineBuilder().WriterBatchSize(24).WriteTo(new CollectingSink(), isolate: false).FlushOnProcessExit(false).Build())
        {
            Assert.NotSame(records, other.Writer.Records);
            Assert.Equal(24, other.Writer.Records.Length);
        }
        Assert.Equal(24, RecordCache.Cached?.Length);
        RecordCache.Expire(); // what the timer does RecordCache.Retention after the set was left
        Assert.Null(RecordCache.Cached);
    }
}
