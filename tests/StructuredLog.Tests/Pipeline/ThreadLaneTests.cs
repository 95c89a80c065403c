using StructuredLog.Events;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// Pipelines built with <see cref="LogPipelineBuilder.ThreadLanes"/>: a ring per logging thread, merged by timestamp in
/// the writer. (Per-thread order and the order across threads are tested with and without lanes in
/// <see cref="ConcurrencyTests"/>.)
/// </summary>
public sealed class ThreadLaneTests
{
    [Fact]
    public async Task A_flush_waits_for_what_every_thread_logged_before_it()
    {
        var sink = new CountingSink(4);
        await using var pipeline = new LogPipelineBuilder().ThreadLanes().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        for (int round = 1; round <= 20; round++)
        {
            var threads = Enumerable.Range(0, 4).Select(p => new Thread(() =>
            {
                for (int s = (round - 1) * 100; s < round * 100; s++) log.Info("{Producer} {Seq}", p, s);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(round * 400, Volatile.Read(ref sink.Total));
        }
        Assert.Equal(0, sink.OrderViolations);
    }

    [Fact]
    public async Task The_lanes_of_threads_that_have_ended_are_dropped_once_written()
    {
        var sink = new CountingSink(16);
        await using var pipeline = new LogPipelineBuilder().ThreadLanes(64, maxThreadLanes: 32).WriteTo(sink)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        var threads = Enumerable.Range(0, 16).Select(p => new Thread(() =>
        {
            for (int s = 0; s < 10; s++) log.Info("{Producer} {Seq}", p, s);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(16, pipeline.Lanes!.Created); // (how many are still there depends on whether the writer has swept yet)
        await pipeline.FlushAsync();
        // The writer looks for ended threads about once a second (and at every idle wake-up after that).
        Assert.True(SpinWait.SpinUntil(() => pipeline.Lanes.Lanes.Length == 0, TimeSpan.FromSeconds(20)),
            $"{pipeline.Lanes.Lanes.Length} lanes of ended threads are still there");
        Assert.Equal(160, pipeline.EventsEnqueued); // their events still count
        Assert.Equal(160, sink.Total);
        log.Info("{Producer} {Seq}", 0, 10); // this thread gets a lane of its own now
        await pipeline.FlushAsync();
        Assert.Equal(161, sink.Total);
        Assert.Equal(17, pipeline.Lanes.Created);
        Assert.Equal(0, sink.OrderViolations);
    }

    /// <summary>A sink that takes its time: the writer falls behind threads that log and end.</summary>
    private sealed class SlowSink(int producers) : ILogSink
    {
        public readonly CountingSink Inner = new(producers);

        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            Inner.Emit(batch);
            Thread.Sleep(10);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;

        public ValueTask DisposeAsync() => default;
    }

    [Fact]
    public async Task The_lane_of_a_thread_that_ended_is_kept_until_the_writer_has_taken_its_events()
    {
        var sink = new SlowSink(8);
        var pipeline = new LogPipelineBuilder().ThreadLanes(1024).WriterBatchSize(16).WriteTo(sink, isolate: false)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        var threads = Enumerable.Range(0, 8).Select(p => new Thread(() =>
        {
            for (int s = 0; s < 500; s++) log.Info("{Producer} {Seq}", p, s);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // The writer needs ~250 batches of 10 ms for these: it looks for ended threads (about once a second) meanwhile.
        await pipeline.DisposeAsync();
        Assert.Equal(4_000, sink.Inner.Total);
        Assert.Equal(0, sink.Inner.OrderViolations);
        Assert.Equal(0, pipeline.EventsLost);
    }

    [Fact]
    public async Task A_full_lane_drops_and_counts_under_DropNewest()
    {
        var sink = new CountingSink(1);
        var pipeline = new LogPipelineBuilder().ThreadLanes(64).Backpressure(BackpressurePolicy.DropNewest)
            .WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        const int logged = 200_000;
        for (int s = 0; s < logged; s++) log.Info("{Producer} {Seq}", 0, s);
        await pipeline.DisposeAsync();
        long dropped = pipeline.GetDroppedCount(DropReason.QueueFull);
        Assert.True(dropped > 0, "a 64-cell lane never filled: the test did not test what it is for");
        Assert.Equal(logged, sink.Total + dropped); // (gaps in the sequence are the drops: no order check here)
    }

    [Fact]
    public async Task Disposal_writes_what_every_thread_logged()
    {
        var sink = new CountingSink(4);
        var pipeline = new LogPipelineBuilder().ThreadLanes(64).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        var threads = Enumerable.Range(0, 4).Select(p => new Thread(() =>
        {
            for (int s = 0; s < 5_000; s++) log.Info("{Producer} {Seq}", p, s);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await pipeline.DisposeAsync();
        Assert.Equal(20_000, sink.Total);
        Assert.Equal(0, pipeline.EventsLost);
        log.Info("{Producer} {Seq}", 0, 5_000); // after disposal: counted as lost, not written
        Assert.Equal(1, pipeline.GetDroppedCount(DropReason.Shutdown));
    }

    [Fact]
    public async Task Threads_past_the_cap_share_lanes_and_keep_their_order()
    {
        const int producers = 16;
        var sink = new CountingSink(producers);
        await using var pipeline = new LogPipelineBuilder().ThreadLanes(64, maxThreadLanes: 2).WriteTo(sink)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        // Every thread logs once before any ends, so that no lane of its own is freed for a later thread.
        using var started = new Barrier(producers);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            log.Info("{Producer} {Seq}", p, 0);
            started.SignalAndWait();
            for (int s = 1; s < 5_000; s++) log.Info("{Producer} {Seq}", p, s);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var lanes = pipeline.Lanes!;
        Assert.Equal(2, lanes.Created);
        Assert.InRange(lanes.SharedCreated, 1, Environment.ProcessorCount);
        Assert.Equal(producers * 5_000, sink.Total);
        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal(0, pipeline.EventsLost);
    }

    /// <summary>
    /// A shared lane whose next cell is claimed but not published (its thread preempted between the claim and the publish)
    /// holds up the events behind it; the writer must then not write an event of another lane that happened after one of
    /// those, nor say that a flush is done.
    /// </summary>
    [Fact]
    public async Task An_unpublished_cell_of_a_shared_lane_holds_back_what_happened_after_the_events_behind_it()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().ThreadLanes(64, maxThreadLanes: 1).WriteTo(sink)
            .FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Lanes");
        using var zeroLogged = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        // The one lane of its own: this thread logs step 0, then step 2 once step 1 is logged.
        var own = new Thread(() =>
        {
            log.Info("step {Seq}", 0);
            zeroLogged.Set();
            go.Wait();
            log.Info("step {Seq}", 2);
        });
        own.Start();
        Assert.True(zeroLogged.Wait(TimeSpan.FromSeconds(10)));
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        RingBuffer? shared = null;
        long held = -1;
        var second = new Thread(() =>
        {
            shared = pipeline.Lanes!.For(Thread.CurrentThread);
            Assert.True(shared.TryClaimStamped(out held)); // claimed and stamped, not published: a preempted call
            log.Info("step {Seq}", 1); // behind it in the same lane
            go.Set();
        });
        second.Start();
        second.Join();
        own.Join();
        Assert.True(shared!.SharedLane);

        var flush = pipeline.FlushAsync();
        // The writer takes events 0.1 ms after their stamps: give it far longer to (wrongly) write step 2 or end the flush.
        await Task.WhenAny(flush, Task.Delay(300));
        Assert.False(flush.IsCompleted, "a flush ended while events logged before it were held up");
        Assert.Equal([0], Steps(sink));

        ref var cell = ref shared.Cell(held);
        cell.Logger = log;
        cell.Template = "held";
        cell.Level = LogLevel.Info;
        cell.ArgumentCount = 0;
        shared.Publish(held);
        await flush.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["step 0", "held", "step 1", "step 2"], sink.Events.Select(e => e.Message));
    }

    private static int[] Steps(CollectingSink sink) => [.. sink.Events.Select(e => (int)e.Properties["Seq"]!)];

    [Theory]
    [InlineData(63)]
    [InlineData(32)]
    [InlineData(0)]
    public void A_lane_size_that_is_not_a_power_of_two_of_at_least_64_is_refused(int cells)
    {
        var ex = Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().ThreadLanes(cells));
        Assert.Contains("ThreadLanes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_cap_is_four_lanes_per_processor_and_at_most_64_with_a_shared_lane_per_processor_up_to_16()
    {
        await using var pipeline = new LogPipelineBuilder().ThreadLanes().FlushOnProcessExit(false).Build();
        Assert.Equal(Math.Min(4 * Environment.ProcessorCount, 64), pipeline.Lanes!.MaxThreadLanes);
        Assert.Equal(Math.Min(Environment.ProcessorCount, 16), pipeline.Lanes.SharedLaneCount);
        await using var capped = new LogPipelineBuilder().ThreadLanes(64, maxThreadLanes: 3).FlushOnProcessExit(false).Build();
        Assert.Equal(3, capped.Lanes!.MaxThreadLanes);
    }

    [Fact]
    public void A_negative_cap_on_thread_lanes_is_refused()
    {
        var ex = Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().ThreadLanes(1024, maxThreadLanes: -1));
        Assert.Contains("maxThreadLanes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thread_lanes_with_the_coarse_clock_are_refused_when_built()
    {
        var builder = new LogPipelineBuilder().ThreadLanes().TimestampPrecision(TimestampPrecision.Coarse).FlushOnProcessExit(false);
        var ex = Assert.Throws<LogConfigurationException>(() => builder.Build());
        Assert.Contains("Precise", ex.Message, StringComparison.Ordinal);
    }
}
