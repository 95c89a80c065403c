using System.Diagnostics;
using System.Runtime.InteropServices;
using StructuredLog.Pipeline;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// <see cref="PreciseClock"/> (the time-stamp counter where the kernel keeps time with it, the stopwatch elsewhere) and
/// <see cref="TimestampClock"/>, which turns its counts into UTC on the writer.
/// </summary>
public sealed class PreciseClockTests
{
    [Fact]
    public void The_cycle_counter_is_used_exactly_where_the_kernel_keeps_time_with_it()
    {
        bool tscKernel = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            && File.Exists("/sys/devices/system/clocksource/clocksource0/current_clocksource")
            && File.ReadAllText("/sys/devices/system/clocksource/clocksource0/current_clocksource").Trim() == "tsc";
        bool optedOut = AppContext.TryGetSwitch(PreciseClock.StopwatchSwitch, out bool value) && value;
        // A Linux x64 machine whose kernel refuses executable anonymous memory would fail this: none runs these tests.
        Assert.Equal(tscKernel && !optedOut, PreciseClock.UsesCycleCounter);
    }

    [Fact]
    public void Counts_move_forward_on_a_thread()
    {
        long previous = PreciseClock.Now();
        for (int i = 0; i < 100_000; i++)
        {
            long now = PreciseClock.Now();
            Assert.True(now >= previous, $"the count went back from {previous} to {now}");
            previous = now;
        }
        var spin = Stopwatch.StartNew();
        long start = PreciseClock.Now();
        while (spin.ElapsedTicks < Stopwatch.Frequency / 1000) Thread.SpinWait(10);
        Assert.True(PreciseClock.Now() > start, "the count did not move in a millisecond");
    }

    [Fact]
    public void A_converted_count_is_the_wall_clock_time_it_was_read_at()
    {
        var clock = new TimestampClock();
        for (int i = 0; i < 50; i++)
        {
            long before = DateTime.UtcNow.Ticks;
            long count = PreciseClock.Now();
            long after = DateTime.UtcNow.Ticks;
            // The anchor pairs a count with the wall clock to tens of nanoseconds; 200 µs leaves room for a thread
            // preempted between the reads and for the realtime clock being slewed, and is far below what a wrong
            // rate or unit shows (a count read as stopwatch ticks is off by seconds to hours).
            Assert.InRange(clock.ToUtcTicks(count), before - 2_000, after + 2_000);
        }
    }

    [Fact]
    public void Counts_measure_elapsed_time_at_the_stopwatch_rate()
    {
        var clock = new TimestampClock();
        // Each end is a count paired with the stopwatch (PreciseClock.Sample: the tightest of three tries), so a thread
        // preempted between reads does not move one end against the other. 200 ms apart, spun on the stopwatch: long
        // enough that a rate off by 1 % is off by 2 ms.
        var first = PreciseClock.Sample();
        while (Stopwatch.GetTimestamp() - first.Stopwatch < Stopwatch.Frequency / 5) Thread.SpinWait(20);
        var last = PreciseClock.Sample();
        long elapsedTicks = (long)((last.Stopwatch - first.Stopwatch) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
        long converted = clock.ToUtcTicks(last.Count) - clock.ToUtcTicks(first.Count);
        // The clock's rate was measured over at least 100 µs (the process's first samples) when it anchored: at worst a
        // few parts in 10,000. 0.5 % of 200 ms plus 10 µs.
        Assert.InRange(converted, elapsedTicks - elapsedTicks / 200 - 100, elapsedTicks + elapsedTicks / 200 + 100);
    }

    [Fact]
    public void A_counter_that_goes_back_is_measured_afresh_and_keeps_its_last_rate_meanwhile()
    {
        // A counter three times as fast as the stopwatch, fed to the clock sample by sample.
        long sw = Stopwatch.Frequency; // one second in
        (long Count, long Stopwatch) current = (3 * (sw + 500_000), sw + 500_000);
        (long, long) Next() => current;
        double ticksPerStopwatch = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
        double expected = ticksPerStopwatch / 3;

        var clock = new TimestampClock(Next, (3 * sw, sw), expected * 1.5); // a poor first rate: measured over the span
        Assert.Equal(expected, clock.TicksPerCount, 9);

        // Reset: the counter restarts near zero while the stopwatch moves on. The anchor moves to it and the rate stays.
        long resetAt = sw + 2 * Stopwatch.Frequency;
        current = (1_000, resetAt);
        long before = DateTime.UtcNow.Ticks;
        clock.AnchorIfStale(1_000);
        long after = DateTime.UtcNow.Ticks;
        Assert.Equal(expected, clock.TicksPerCount, 9);
        Assert.InRange(clock.ToUtcTicks(1_000), before, after);
        Assert.Equal(clock.ToUtcTicks(1_000) + (long)(3_000_000 * expected), clock.ToUtcTicks(3_001_000));

        // The next anchors measure from the reset on (here at a counter now four times as fast).
        current = (1_000 + 4 * 1_000_000, resetAt + 1_000_000);
        clock.AnchorIfStale(long.MaxValue);
        Assert.Equal(ticksPerStopwatch / 4, clock.TicksPerCount, 9);
    }

    [Fact]
    public void An_anchor_pairs_the_wall_clock_with_the_tightest_of_its_tries()
    {
        // Counts three times as fast as the stopwatch. The sampler hands out what the test queued, then repeats the last.
        long f = Stopwatch.Frequency;
        var queue = new Queue<(long Count, long Stopwatch)>();
        (long Count, long Stopwatch) last = (3 * f, f);
        (long, long) Next() => last = queue.Count > 0 ? queue.Dequeue() : last;
        (long, long) At(long stopwatch) => (3 * stopwatch, stopwatch);

        queue.Enqueue(At(f + f / 2));
        queue.Enqueue(At(f + f / 2));
        var clock = new TimestampClock(Next, At(f), (double)TimeSpan.TicksPerSecond / f / 3);

        // The first try is as if the writer had been preempted for 10 s between its reads; the second is tight.
        queue.Enqueue(At(3 * f));
        queue.Enqueue(At(13 * f));
        queue.Enqueue(At(23 * f));
        queue.Enqueue(At(23 * f));
        long before = DateTime.UtcNow.Ticks;
        clock.AnchorIfStale(long.MaxValue);
        long after = DateTime.UtcNow.Ticks;
        Assert.InRange(clock.ToUtcTicks(3 * 23 * f), before, after);
    }

    [Fact]
    public async Task Precise_event_timestamps_are_the_time_of_the_call()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Precise");
        var brackets = new (DateTime Before, DateTime After)[2_000];
        for (int i = 0; i < brackets.Length; i++)
        {
            var before = DateTime.UtcNow;
            log.Info("{Seq}", i);
            brackets[i] = (before, DateTime.UtcNow);
            // Some events far apart, so that the writer re-anchors between them.
            if (i % 500 == 499) Thread.Sleep(2);
        }
        await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var events = sink.Events.ToArray();
        Assert.Equal(brackets.Length, events.Length);
        var slack = TimeSpan.FromMilliseconds(0.2);
        for (int i = 0; i < events.Length; i++)
        {
            Assert.Equal(DateTimeKind.Utc, events[i].Timestamp.Kind);
            Assert.InRange(events[i].Timestamp, brackets[i].Before - slack, brackets[i].After + slack);
        }
    }
}
