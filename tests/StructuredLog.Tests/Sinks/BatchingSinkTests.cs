using System.Text;
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

    private sealed class GatedSink(Task gate, BatchingOptions options) : BatchingSink("gated", JsonFormatter.Default, options)
    {
        protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken) => gate.WaitAsync(cancellationToken);
    }
}
