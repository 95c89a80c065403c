using StructuredLog.Events;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

public sealed class ConcurrencyTests
{
    [Theory]
    [InlineData(8192, 0)]
    [InlineData(64, 0)]
    [InlineData(0, 64)] // thread lanes: a ring of 64 events per thread
    [InlineData(0, 1024)]
    [InlineData(0, 64, 2)] // two threads with a lane of their own, six sharing lanes
    public async Task Every_event_from_eight_producers_arrives_exactly_once_in_per_thread_order(int bufferSize, int threadLaneCells,
        int maxThreadLanes = 0)
    {
        const int producers = 8;
        const int perProducer = 250_000;
        var sink = new CountingSink(producers);
        var builder = new LogPipelineBuilder()
            .Backpressure(BackpressurePolicy.Wait)
            .WriteTo(sink)
            .FlushOnProcessExit(false);
        if (threadLaneCells > 0) builder.ThreadLanes(threadLaneCells, maxThreadLanes);
        else builder.BufferSize(bufferSize);
        var pipeline = builder.Build();
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
        if (threadLaneCells > 0) Assert.Equal(threadLaneCells, pipeline.BufferSize);
    }

    /// <summary>
    /// Events of different threads that are ordered by the application (each thread logs its step, then hands the turn to
    /// the next thread) must be written in that order: every step happens before the next, whichever thread logged it.
    /// The pipeline only sees the calls; it must not reorder two of them across threads.
    /// </summary>
    [Theory]
    [InlineData(2, -1)]
    [InlineData(4, -1)]
    [InlineData(2, 0)]
    [InlineData(4, 0)]
    [InlineData(4, 1)] // one thread with a lane of its own, three sharing lanes
    public async Task Events_ordered_by_a_hand_off_between_threads_are_written_in_that_order(int threads, int maxThreadLanes)
    {
        const int steps = 40_000;
        var sink = new CountingSink(1);
        var builder = new LogPipelineBuilder().BufferSize(1024).WriteTo(sink).FlushOnProcessExit(false);
        // maxThreadLanes -1: one ring; 0: each thread's events in a ring of its own (the writer merges them); 1: past the
        // first thread, threads take turns in shared lanes.
        if (maxThreadLanes >= 0) builder.ThreadLanes(maxThreadLanes: maxThreadLanes);
        var pipeline = builder.Build();
        var log = pipeline.GetLogger("Chain");
        int turn = 0; // the step to log next; thread t logs the steps s with s % threads == t
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int step = t; step < steps; step += threads)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref turn) != step) spin.SpinOnce(sleep1Threshold: -1);
                log.Info("{Chain} {Seq}", 0, step);
                Volatile.Write(ref turn, step + 1);
            }
        }) { Name = $"chain {t}" }).ToList();
        workers.ForEach(w => w.Start());
        Assert.All(workers, w => Assert.True(w.Join(TimeSpan.FromSeconds(60)), "a thread of the chain did not finish"));
        await pipeline.DisposeAsync();

        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal(steps, sink.Total);
    }

    /// <summary>
    /// The same through <c>await</c>: an async method logs a step, then continues on another thread. Every other step it
    /// awaits a task that a thread of the test completes (the continuation runs on that thread), and in between it yields
    /// to the thread pool, so consecutive steps are logged from different threads. An application reads its log
    /// expecting that order.
    /// </summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Events_of_an_async_flow_that_moves_between_threads_are_written_in_order(int maxThreadLanes)
    {
        const int steps = 20_000;
        var sink = new CountingSink(1);
        var builder = new LogPipelineBuilder().BufferSize(1024).WriteTo(sink).FlushOnProcessExit(false);
        if (maxThreadLanes >= 0) builder.ThreadLanes(maxThreadLanes: maxThreadLanes); // as in the hand-off test above
        var pipeline = builder.Build();
        var log = pipeline.GetLogger("Flow");
        using var requests = new System.Collections.Concurrent.BlockingCollection<TaskCompletionSource>();
        var completer = new Thread(() =>
        {
            foreach (var request in requests.GetConsumingEnumerable()) request.SetResult(); // runs the continuation here
        }) { IsBackground = true, Name = "flow completer" };
        completer.Start();
        int changes = 0;
        await Task.Run(async () =>
        {
            int last = -1;
            for (int step = 0; step < steps; step++)
            {
                log.Info("{Flow} {Seq}", 0, step);
                if (last != Environment.CurrentManagedThreadId) changes++;
                last = Environment.CurrentManagedThreadId;
                if (step % 2 == 0)
                {
                    var next = new TaskCompletionSource();
                    requests.Add(next);
                    await next.Task;
                }
                else
                {
                    await Task.Yield();
                }
            }
        });
        requests.CompleteAdding();
        completer.Join();
        await pipeline.DisposeAsync();

        Assert.Equal(0, sink.OrderViolations);
        Assert.Equal(steps, sink.Total);
        Assert.True(changes > steps / 2, $"the flow changed threads {changes} times in {steps} steps: the test does not test what it is for");
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Calls_of_every_shape_from_four_threads_come_back_as_logged(bool threadLanes)
    {
        // Each call fills a ring cell's hot part and, when it has an exception, a scope, a trace, more than four values or
        // a value with a second payload word, its cold part too (EventSlot, ColdSlot); named calls with more parts than
        // fit beside the cell use the cell's own overflow array (RingBuffer.Spill). Four threads mix those shapes in a
        // small ring, so that cells pass between shapes and threads all the time: every event must come back with its
        // own values and context, none with another call's.
        const int producers = 4;
        const int perProducer = 20_000;
        var sink = new CollectingSink();
        var builder = new LogPipelineBuilder().BufferSize(64).WriteTo(sink).FlushOnProcessExit(false);
        if (threadLanes) builder.ThreadLanes(64); // each thread's calls in a small lane of its own, merged by the writer
        var pipeline = builder.Build();
        var log = pipeline.GetLogger("Shapes");
        var failures = Enumerable.Range(0, producers).Select(p => new InvalidOperationException("producer " + p)).ToArray();
        string[] names = ["P", "S", "C", "D", "E", "F"];
        string[] extra = Enumerable.Range(2, 13).Select(k => "X" + k).ToArray();
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (int s = 0; s < perProducer; s++)
            {
                switch (s % 7)
                {
                    case 0: log.Info("{P} {S}", p, s); break;
                    case 1: log.Info("{P} {S} {C} {D} {E} {F}", p, s, "c" + s, s * 0.5, new Guid(s, 1, 2, [3, 4, 5, 6, 7, 8, 9, 10]), "f" + s); break;
                    case 2: log.Error(failures[p], "{P} {S}", p, s); break;
                    case 3:
                        using (log.BeginScope("Scoped", s)) log.Info("{P} {S}", p, s);
                        break;
                    case 4:
                        using (var activity = new System.Diagnostics.Activity("shapes").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start())
                            log.Info("{P} {S} {T}", p, s, activity.TraceId.ToHexString());
                        break;
                    case 6:
                        var props = new LogProperty[15];
                        props[0] = new("P", LogValue.From(p));
                        props[1] = new("S", LogValue.From(s));
                        for (int k = 2; k < props.Length; k++) props[k] = new(extra[k - 2], LogValue.From(s * 100 + k));
                        log.Write(LogLevel.Info, null, "{P} {S}", props);
                        break;
                    default:
                        log.Write(LogLevel.Info, null, "{P} {S} {C} {D} {E} {F}", names,
                            [LogValue.From(p), LogValue.From(s), LogValue.From(s + 2), LogValue.From(s + 3), LogValue.From((decimal)s / 8), LogValue.FromObject("f" + s)], []);
                        break;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        await pipeline.DisposeAsync();

        var all = sink.Events.ToArray();
        Assert.Equal(producers * perProducer, all.Length);
        Assert.Equal(0, pipeline.EventsLost);
        foreach (var e in all)
        {
            int p = (int)e.Properties["P"]!;
            int s = (int)e.Properties["S"]!;
            int shape = s % 7;
            Assert.Same(shape == 2 ? failures[p] : null, e.Exception);
            Assert.Equal(shape == 3 ? s : null, e.Properties.GetValueOrDefault("Scoped"));
            // The trace id the call saw, logged as a value too: the event's own, not another thread's or call's.
            Assert.Equal(shape == 4 ? e.Properties["T"] : null, e.TraceId);
            if (shape == 1)
            {
                Assert.Equal("c" + s, e.Properties["C"]);
                Assert.Equal(s * 0.5, e.Properties["D"]);
                Assert.Equal(new Guid(s, 1, 2, [3, 4, 5, 6, 7, 8, 9, 10]), e.Properties["E"]);
                Assert.Equal("f" + s, e.Properties["F"]);
            }
            else if (shape == 5)
            {
                Assert.Equal(s + 2, e.Properties["C"]);
                Assert.Equal((decimal)s / 8, e.Properties["E"]);
                Assert.Equal("f" + s, e.Properties["F"]);
            }
            else if (shape == 6)
            {
                Assert.Equal(15, e.Properties.Count);
                for (int k = 2; k < 15; k++) Assert.Equal(s * 100 + k, e.Properties["X" + k]);
            }
            else
            {
                Assert.Equal(2 + (shape is 3 or 4 ? 1 : 0), e.Properties.Count);
            }
        }
    }
}
