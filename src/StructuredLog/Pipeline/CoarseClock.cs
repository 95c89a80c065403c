using System.Runtime.CompilerServices;

namespace StructuredLog.Pipeline;

/// <summary>
/// The shared clock of <see cref="TimestampPrecision.Coarse"/>: a <see cref="PreciseClock"/> count
/// that calling threads read as a plain field (no system call) and that a ticker thread
/// refreshes about once a millisecond. Values are in the same units as the precise clock, so the
/// writer converts both the same way (<see cref="TimestampClock"/>).
/// </summary>
/// <remarks>
/// Invariants: <see cref="s_now"/> only grows (every update is a compare-and-swap to a larger value),
/// so timestamps read on one thread are monotonic even though the ticker and writer threads both
/// refresh it. The ticker thread runs while <see cref="s_users"/> &gt; 0: each pipeline built with the
/// coarse option calls <see cref="Acquire"/> once and <see cref="ReleaseUser"/> once on disposal; the
/// last release stops the thread (it exits within one tick).
/// </remarks>
internal static class CoarseClock
{
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(1);
    private static readonly object s_lock = new();
    private static long s_now = PreciseClock.Now();
    private static int s_users;
    private static Thread? s_thread;
    private static ManualResetEventSlim? s_stop;

    /// <summary>The last refreshed timestamp (a <see cref="PreciseClock"/> count): one field read.</summary>
    public static long Now
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref s_now);
    }

    /// <summary>True while the ticker thread is alive (for tests and diagnostics).</summary>
    internal static bool TickerRunning
    {
        get { lock (s_lock) return s_thread is not null; }
    }

    /// <summary>The ticker thread, if running (tests wait for it to end).</summary>
    internal static Thread? TickerThread
    {
        get { lock (s_lock) return s_thread; }
    }

    /// <summary>Moves the shared value forward to <paramref name="timestamp"/> if that is later (any thread).</summary>
    public static void Advance(long timestamp)
    {
        long seen = Volatile.Read(ref s_now);
        while (timestamp > seen)
        {
            long previous = Interlocked.CompareExchange(ref s_now, timestamp, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }

    /// <summary>A pipeline starts using the coarse clock: refreshes it now and starts the ticker if it is not running.</summary>
    public static void Acquire()
    {
        lock (s_lock)
        {
            Advance(PreciseClock.Now());
            if (s_users++ > 0) return;
            var stop = new ManualResetEventSlim(false, spinCount: 0); // a tick must block, not spin
            var thread = new Thread(() => Tick(stop)) { IsBackground = true, Name = "StructuredLog coarse clock" };
            s_stop = stop;
            s_thread = thread;
            thread.Start();
        }
    }

    /// <summary>A pipeline stops using the coarse clock; the last one stops the ticker (it exits within a tick).</summary>
    public static void ReleaseUser()
    {
        lock (s_lock)
        {
            if (s_users == 0) return;
            if (--s_users > 0) return;
            s_stop!.Set();
            s_stop = null;
            s_thread = null;
        }
    }

    // A thread's loop, entered once per pipeline and left only at disposal: compiled fully optimised at once. Tiered
    // compilation would run it as tier-0 code (then on-stack replacement) for the pipeline's whole life, and move it to
    // instrumented tier-0 after 30 pipelines, which a process that builds pipelines one after another then runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tick(ManualResetEventSlim stop)
    {
        // Waiting on the event (rather than sleeping) lets the last ReleaseUser end the thread at once.
        while (!stop.Wait(s_tick)) Advance(PreciseClock.Now());
        stop.Dispose();
    }
}
