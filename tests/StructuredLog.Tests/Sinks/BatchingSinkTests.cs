using System.Text;
using StructuredLog.Diagnostics;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Sinks;

public sealed class BatchingSinkTests
{
    /// <summary>Records delivered lines; fails the first attempts of each batch as scripted.</summary>
    private sealed class ScriptedSink(BatchingOptions options, Func<int, Exception?> failure) : BatchingSink("scripted", new LogfmtFormatter(), options)
    {
        public readonly List<string> Delivered = new();
        public readonly List<DateTime> AttemptTimes = new();
        private int _attempt;

        protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
        {
            lock (Delivered) AttemptTimes.Add(DateTime.UtcNow);
            var error = failure(_attempt++);
            if (error is not null) throw error;
            lock (Delivered)
                foreach (var e in batch.Events) Delivered.Add(Encoding.UTF8.GetString(e.Payload.Span));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task FlushAsync_returns_only_when_everything_logged_before_it_is_delivered()
    {
        var sink = new ScriptedSink(new BatchingOptions { Period = TimeSpan.FromMinutes(10), BatchSizeLimit = 100_000 }, _ => null);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Flush");
        for (int i = 0; i < 1234; i++) log.Info("n={N}", i);
        await pipeline.FlushAsync();
        Assert.Equal(1234, sink.Delivered.Count);
        Assert.Contains("N=1233", sink.Delivered[^1]);
        Assert.Equal(1234, sink.EventsWritten);
    }

    [Fact]
    public async Task A_single_event_after_an_idle_period_is_written_by_the_period_timer_without_a_flush()
    {
        var sink = new ScriptedSink(new BatchingOptions { Period = TimeSpan.FromMilliseconds(50), BatchSizeLimit = 1000 }, _ => null);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Idle");
        log.Info("first");
        await FaultIsolationTests.WaitUntil(() => { lock (sink.Delivered) return sink.Delivered.Count == 1; }, TimeSpan.FromSeconds(10));
        await Task.Delay(200); // let the sink's loop go idle again
        log.Info("second");
        await FaultIsolationTests.WaitUntil(() => { lock (sink.Delivered) return sink.Delivered.Count == 2; }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Retryable_failures_are_retried_in_order_and_retry_after_is_honoured()
    {
        var sink = new ScriptedSink(
            new BatchingOptions { Period = TimeSpan.FromMilliseconds(10), MinBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50) },
            attempt => attempt switch
            {
                0 => new SinkWriteException("throttled", retryable: true, retryAfter: TimeSpan.FromMilliseconds(300)),
                1 => new IOException("connection reset"),
                _ => null,
            });
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Retry");
        for (int i = 0; i < 10; i++) log.Info("n={N}", i);
        await pipeline.FlushAsync();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"N={i}"), sink.Delivered.Select(l => l.TrimEnd().Split(' ').Single(p => p.StartsWith("N="))));
        Assert.Equal(2, sink.Retries);
        Assert.True(sink.AttemptTimes[1] - sink.AttemptTimes[0] >= TimeSpan.FromMilliseconds(280), "Retry-After not honoured");
        Assert.Equal(0, sink.EventsFailed);
    }

    [Fact]
    public async Task Permanent_failures_are_not_retried_and_are_counted()
    {
        var sink = new ScriptedSink(new BatchingOptions { Period = TimeSpan.FromMilliseconds(10) },
            attempt => attempt == 0 ? new SinkWriteException("bad request", retryable: false) : null);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Permanent");
        for (int i = 0; i < 5; i++) log.Info("n={N}", i);
        await pipeline.FlushAsync();
        log.Info("after");
        await pipeline.FlushAsync();
        Assert.Equal(5, sink.EventsFailed);
        Assert.Equal(0, sink.Retries);
        Assert.Single(sink.Delivered);
    }

    [Fact]
    public async Task A_full_queue_drops_new_events_and_counts_them_without_blocking_the_writer()
    {
        var gate = new TaskCompletionSource();
        var sink = new GatedSink(gate.Task, new BatchingOptions { QueueLimit = 100, BatchSizeLimit = 10, Period = TimeSpan.FromMilliseconds(5) });
        var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Full");
        for (int i = 0; i < 1000; i++) log.Info("n={N}", i);
        await FaultIsolationTests.WaitUntil(() => pipeline.EventsProcessed == 1000, TimeSpan.FromSeconds(10));
        gate.SetResult();
        await pipeline.DisposeAsync();
        Assert.Equal(1000, sink.EventsWritten + sink.EventsDropped);
        Assert.True(sink.EventsDropped >= 1000 - 100 - 10, $"dropped {sink.EventsDropped}");
    }

    [Fact]
    public async Task A_second_DisposeAsync_waits_for_the_first_to_finish()
    {
        var gate = new TaskCompletionSource();
        var sink = new GatedSink(gate.Task, new BatchingOptions { BatchSizeLimit = 10, Period = TimeSpan.FromMilliseconds(5) });
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Dispose");
        for (int i = 0; i < 50; i++) log.Info("n={N}", i);
        await FaultIsolationTests.WaitUntil(() => pipeline.EventsProcessed == 50, TimeSpan.FromSeconds(10));
        var first = sink.DisposeAsync().AsTask();
        var second = sink.DisposeAsync().AsTask();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        gate.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(50, sink.EventsWritten);
    }

    [Fact]
    public async Task Every_event_reaches_the_stream_once_and_in_order_across_chunk_reuse_queue_growth_and_oversized_payloads()
    {
        var output = new MemoryStream();
        var sink = new StreamSink(output, new LogfmtFormatter(), options: new BatchingOptions { BatchSizeLimit = 37, Period = TimeSpan.FromMilliseconds(5) });
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Order");
        string big = new('x', 40_000); // beyond a quarter of a chunk: stored in a buffer of its own
        const int count = 30_000;
        for (int i = 0; i < count; i++)
        {
            if (i % 997 == 0) log.Info("n={N} big={Big}", i, big);
            else log.Info("n={N}", i);
            if (i % 5_000 == 0) await pipeline.FlushAsync(); // let the queue drain so chunks are reused
        }
        await pipeline.FlushAsync();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(count, lines.Length);
        for (int i = 0; i < count; i++)
        {
            Assert.Contains($"N={i} ", lines[i] + " ");
            Assert.Equal(i % 997 == 0, lines[i].Contains(big, StringComparison.Ordinal));
        }
        Assert.Equal(count, sink.EventsWritten);
        Assert.Equal(0, sink.EventsDropped);
    }

    [Fact]
    public async Task Sinks_that_hand_chunks_back_to_the_shared_pool_never_write_each_others_bytes()
    {
        // A queue bound of one chunk: nearly every drained chunk goes back to the shared array pool, from which the
        // other sink (running at the same time) and later sinks take theirs. A chunk handed back while still in use,
        // or twice, would show up as a line of one sink inside the other's output, or as a damaged line.
        const int Count = 20_000;
        async Task<(MemoryStream Output, StreamSink Sink)> Run(string who)
        {
            var output = new MemoryStream();
            var options = new BatchingOptions { QueueBytesLimit = 64 * 1024, FullMode = QueueFullMode.Block, BatchSizeLimit = 100, Period = TimeSpan.FromMilliseconds(1) };
            var sink = new StreamSink(output, new LogfmtFormatter(), options: options);
            await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
            {
                var log = pipeline.GetLogger(who);
                for (int i = 0; i < Count; i++) log.Info("{Who} line {N} padding {Pad}", who, i, "abcdefghijklmnopqrstuvwxyz");
            }
            return (output, sink);
        }
        for (int round = 0; round < 2; round++)
        {
            var results = await Task.WhenAll(Task.Run(() => Run("left")), Task.Run(() => Run("right")));
            foreach (var ((output, sink), who) in results.Zip(new[] { "left", "right" }))
            {
                var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(Count, lines.Length);
                for (int i = 0; i < Count; i++)
                {
                    Assert.Contains($"Who={who} N={i} Pad=abcdefghijklmnopqrstuvwxyz", lines[i], StringComparison.Ordinal);
                }
                Assert.Equal(Count, sink.EventsWritten);
                Assert.Equal(0, sink.EventsDropped);
            }
        }
    }

    [Fact]
    public async Task A_full_queue_in_block_mode_makes_the_callers_wait_and_loses_nothing()
    {
        var gate = new TaskCompletionSource();
        var sink = new GatedRecordingSink(gate.Task, new BatchingOptions
        {
            QueueLimit = 20, BatchSizeLimit = 5, Period = TimeSpan.FromMilliseconds(5),
            FullMode = QueueFullMode.Block, BlockTimeout = Timeout.InfiniteTimeSpan,
        });
        var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Block");
        const int count = 1000; // far more than the ring (64), the queue (20) and one batch (5) hold together
        var producer = Task.Run(() => { for (int i = 0; i < count; i++) log.Info("n={N}", i); });

        // The destination is stuck: the queue fills, then the writer waits for room, then the ring fills and the caller waits.
        await FaultIsolationTests.WaitUntil(() => sink.QueuedEvents == 20 && pipeline.QueueDepth == 64, TimeSpan.FromSeconds(10));
        Assert.False(producer.IsCompleted);
        Assert.Equal(0, sink.EventsDropped);

        gate.SetResult();
        await producer.WaitAsync(TimeSpan.FromSeconds(30));
        await pipeline.DisposeAsync();
        Assert.Equal(0, sink.EventsDropped);
        Assert.Equal(0L, pipeline.EventsLost);
        Assert.Equal(count, sink.EventsWritten);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"\"N\":{i}}}"), sink.Delivered.Select(l => l[l.IndexOf("\"N\":", StringComparison.Ordinal)..].TrimEnd()));
    }

    [Fact]
    public async Task Block_mode_gives_up_after_the_timeout_then_drops_at_once_until_the_destination_takes_again()
    {
        var messages = new List<string>();
        SelfLog.Enable(m => { lock (messages) messages.Add(m); });
        try
        {
            var gate = new TaskCompletionSource();
            var sink = new GatedRecordingSink(gate.Task, new BatchingOptions
            {
                QueueLimit = 10, BatchSizeLimit = 5, Period = TimeSpan.FromMilliseconds(5),
                FullMode = QueueFullMode.Block, BlockTimeout = TimeSpan.FromMilliseconds(300),
            });
            var pipeline = new LogPipelineBuilder().BufferSize(1024).WriteTo(sink).FlushOnProcessExit(false).Build();
            var log = pipeline.GetLogger("Timeout");
            var started = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 200; i++) log.Info("n={N}", i);
            await FaultIsolationTests.WaitUntil(() => pipeline.EventsProcessed == 200, TimeSpan.FromSeconds(20));
            Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(280), $"the writer did not wait ({started.Elapsed.TotalMilliseconds:F0} ms)");
            // At most one batch in flight (5) and a full queue (10) are kept; the rest was dropped and counted.
            Assert.InRange(sink.EventsDropped, 200 - 15, 200 - 10);

            // Still stuck: later events are dropped at once, with no second wait (one report only).
            for (int i = 200; i < 300; i++) log.Info("n={N}", i);
            await FaultIsolationTests.WaitUntil(() => pipeline.EventsProcessed == 300, TimeSpan.FromSeconds(20));
            Assert.InRange(sink.EventsDropped, 300 - 15, 300 - 10);
            lock (messages) Assert.Single(messages, m => m.Contains("[gated]") && m.Contains("stayed full"));

            // The destination recovers: it takes a batch, blocking resumes, and nothing more is lost.
            gate.SetResult();
            await FaultIsolationTests.WaitUntil(() => sink.QueuedEvents == 0, TimeSpan.FromSeconds(20));
            long droppedBefore = sink.EventsDropped;
            for (int i = 300; i < 500; i++) log.Info("n={N}", i);
            await pipeline.DisposeAsync();
            Assert.Equal(droppedBefore, sink.EventsDropped);
            Assert.Equal(500, sink.EventsWritten + sink.EventsDropped);
            Assert.Contains(sink.Delivered, l => l.Contains("\"N\":499}", StringComparison.Ordinal));
        }
        finally
        {
            SelfLog.Disable();
        }
    }

    [Fact]
    public async Task Shutdown_is_bounded_even_when_the_writer_waits_for_ever_on_a_dead_destination()
    {
        var never = new TaskCompletionSource();
        var sink = new GatedRecordingSink(never.Task, new BatchingOptions
        {
            QueueLimit = 10, BatchSizeLimit = 5, Period = TimeSpan.FromMilliseconds(5),
            FullMode = QueueFullMode.Block, BlockTimeout = Timeout.InfiniteTimeSpan, ShutdownTimeout = TimeSpan.FromMilliseconds(300),
        });
        var pipeline = new LogPipelineBuilder().BufferSize(64).ShutdownTimeout(TimeSpan.FromMilliseconds(500))
            .WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Dead");
        for (int i = 0; i < 50; i++) log.Info("n={N}", i); // fits the ring; the writer then waits in Emit for ever
        await FaultIsolationTests.WaitUntil(() => sink.QueuedEvents == 10, TimeSpan.FromSeconds(10));

        // Disposing the sink (after the writer's own timeout) releases the waiting writer; nothing hangs.
        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(pipeline.Writer.Stopped, "the writer thread is still waiting");
        await sink.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)); // the sink's own accounting may finish after the pipeline stopped waiting
        // Every event is accounted for: none written, each one counted as dropped, failed or lost at shutdown.
        Assert.Equal(0, sink.EventsWritten);
        Assert.Equal(50, sink.EventsDropped + sink.EventsFailed + pipeline.EventsLost);
    }

    [Fact]
    public void The_stream_sinks_default_options_come_fresh_each_time_so_one_setting_can_be_changed()
    {
        var first = StreamSink.CreateDefaultOptions();
        first.FullMode = QueueFullMode.Block;
        var second = StreamSink.CreateDefaultOptions();
        Assert.NotSame(first, second);
        Assert.Equal(QueueFullMode.DropNewest, second.FullMode);
        Assert.Equal(TimeSpan.FromMilliseconds(200), second.Period);
        Assert.Equal(1024, second.BatchSizeLimit);
        Assert.Equal(new BatchingOptions().QueueLimit, second.QueueLimit);
    }

    [Fact]
    public void Block_mode_options_are_checked_when_the_sink_is_built()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingOptions { FullMode = QueueFullMode.Block, BlockTimeout = TimeSpan.Zero }.Validate());
        Assert.Equal("BlockTimeout", zero.ParamName);
        var mode = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingOptions { FullMode = (QueueFullMode)7 }.Validate());
        Assert.Equal("FullMode", mode.ParamName);
        new BatchingOptions { FullMode = QueueFullMode.Block, BlockTimeout = Timeout.InfiniteTimeSpan }.Validate();
    }

    private sealed class GatedSink(Task gate, BatchingOptions options) : BatchingSink("gated", JsonFormatter.Default, options)
    {
        protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken) => gate.WaitAsync(cancellationToken);
    }

    /// <summary>Waits for the gate on every batch, then records the batch's lines in order.</summary>
    private sealed class GatedRecordingSink(Task gate, BatchingOptions options) : BatchingSink("gated", JsonFormatter.Default, options)
    {
        public readonly List<string> Delivered = new();

        protected override async Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            lock (Delivered)
                foreach (var e in batch.Events) Delivered.Add(Encoding.UTF8.GetString(e.Payload.Span));
        }
    }
}
