using System.Diagnostics;
using StructuredLog.Pipeline;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// <see cref="TimestampPrecision.Coarse"/>: timestamps from the shared ticker value. All tests of the
/// ticker's life cycle are in this class, so they never run in parallel with each other.
/// </summary>
public sealed class CoarseClockTests
{
    // The ticker refreshes every ~1 ms; the bound leaves room for a loaded 2-core machine that does
    // not schedule it for a while, and is still far below what a broken clock would show (seconds, hours).
    private static readonly TimeSpan s_bound = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Coarse_timestamps_are_close_to_the_wall_clock_and_never_go_backwards_on_a_thread()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().TimestampPrecision(TimestampPrecision.Coarse)
            .WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        Assert.Equal(TimestampPrecision.Coarse, pipeline.TimestampPrecision);
        var log = pipeline.GetLogger("Coarse");
        var before = DateTime.UtcNow;
        var spin = Stopwatch.StartNew();
        int n = 0;
        // Log for a few ticks of the coarse clock (bounded), so the timestamps must advance.
        while (spin.ElapsedMilliseconds < 20 || n < 1000) log.Info("{Seq}", n++);
        var after = DateTime.UtcNow;
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var events = sink.Events.ToArray();
        Assert.Equal(n, events.Length);
        DateTime previous = DateTime.MinValue;
        foreach (var e in events)
        {
            Assert.Equal(DateTimeKind.Utc, e.Timestamp.Kind);
            Assert.InRange(e.Timestamp, before - s_bound, after + s_bound);
            Assert.True(e.Timestamp >= previous, $"timestamp went backwards: {e.Timestamp:O} after {previous:O}");
            previous = e.Timestamp;
        }
        Assert.True(events[^1].Timestamp > events[0].Timestamp, "the coarse clock did not advance while logging for 20 ms");
    }

    [Fact]
    public async Task The_ticker_runs_while_a_coarse_pipeline_is_alive_and_stops_after_the_last_is_disposed()
    {
        var first = new LogPipelineBuilder().TimestampPrecision(TimestampPrecision.Coarse).WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        var second = new LogPipelineBuilder().TimestampPrecision(TimestampPrecision.Coarse).WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        var ticker = CoarseClock.TickerThread;
        Assert.NotNull(ticker);

        // The shared value advances on its own (no logging, no writer activity needed): bounded wait.
        long start = CoarseClock.Now;
        var deadline = Stopwatch.StartNew();
        while (CoarseClock.Now == start && deadline.Elapsed < TimeSpan.FromSeconds(10)) Thread.Yield();
        Assert.NotEqual(start, CoarseClock.Now);

        await first.DisposeAsync();
        Assert.True(CoarseClock.TickerRunning, "the ticker stopped while a coarse pipeline was still alive");
        Assert.Same(ticker, CoarseClock.TickerThread);

        await second.DisposeAsync();
        Assert.False(CoarseClock.TickerRunning);
        Assert.True(ticker!.Join(TimeSpan.FromSeconds(10)), "the ticker thread did not exit after the last coarse pipeline was disposed");
    }

    [Fact]
    public async Task Precise_is_the_default_and_starts_no_ticker()
    {
        await using var pipeline = new LogPipelineBuilder().WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        Assert.Equal(TimestampPrecision.Precise, pipeline.TimestampPrecision);
        Assert.False(CoarseClock.TickerRunning);
    }

    [Fact]
    public void An_undefined_precision_fails_at_the_builder_naming_the_setting()
    {
        var ex = Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().TimestampPrecision((TimestampPrecision)7));
        Assert.Contains(nameof(TimestampPrecision), ex.Message);
    }

    [Fact]
    public void The_shared_value_only_moves_forward()
    {
        long now = CoarseClock.Now;
        CoarseClock.Advance(now - 1_000_000);
        Assert.True(CoarseClock.Now >= now);
        CoarseClock.Advance(now + 10);
        Assert.True(CoarseClock.Now >= now + 10);
    }
}
