using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StructuredLog.Pipeline;

/// <summary>
/// What a calling thread reads for its event's timestamp (<see cref="TimestampPrecision.Precise"/>, and the coarse
/// clock's ticker): a count in units of this clock, which only <see cref="TimestampClock"/> turns into UTC, on the
/// writer thread.
/// </summary>
/// <remarks>
/// <para>
/// On Linux x64, when the kernel keeps its own time with the processor's time-stamp counter (its clock source is
/// <c>tsc</c>, which the kernel chooses only for a counter that runs at a constant rate through idle states and in step
/// on every core), a count is one <c>rdtsc</c> instruction, called through a 10-byte function this class writes into a
/// page of its own (.NET has no intrinsic for it). <see cref="Stopwatch.GetTimestamp"/> reads the same counter through
/// the kernel's <c>clock_gettime</c>, which orders the read behind every earlier instruction and scales it: measured on
/// the 2-core KVM guest of docs/benchmarks.md, 9.8 ns per read against 24–26 ns on its AMD host, 24–26 against 48–54 on
/// its Intel host. Without that ordering a read can be a
/// few nanoseconds early, far below the 100 ns of a <see cref="DateTime"/> tick.
/// </para>
/// <para>
/// Everywhere else (another system or processor, another clock source, a system that refuses executable memory), or
/// when the <see cref="AppContext"/> switch <see cref="StopwatchSwitch"/> is set, a count is
/// <see cref="Stopwatch.GetTimestamp"/>. The choice is made once per process, before the first event.
/// </para>
/// </remarks>
internal static unsafe class PreciseClock
{
    /// <summary>The <see cref="AppContext"/> switch that keeps the clock on <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public const string StopwatchSwitch = "StructuredLog.PreciseClockUsesStopwatch";

    /// <summary>rdtsc; shl rdx, 32; or rax, rdx; ret: the 64-bit counter returned in rax.</summary>
    private static ReadOnlySpan<byte> ReadCounterCode => [0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3];

    /// <summary>lfence; then as <see cref="ReadCounterCode"/>: the counter read only once every earlier instruction (a load above all) has completed.</summary>
    private static ReadOnlySpan<byte> ReadCounterOrderedCode => [0x0F, 0xAE, 0xE8, 0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3];

    /// <summary>Where <see cref="ReadCounterOrderedCode"/> starts in the page.</summary>
    private const int OrderedOffset = 64;

    /// <summary><see cref="DateTime"/> ticks per <see cref="Stopwatch"/> tick.</summary>
    internal static readonly double TicksPerStopwatch = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    /// <summary>True: counts are the processor's time-stamp counter; false: <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static readonly bool UsesCycleCounter;

    private static readonly delegate* unmanaged[SuppressGCTransition]<long> s_readCounter;
    private static readonly delegate* unmanaged[SuppressGCTransition]<long> s_readCounterOrdered;

    /// <summary>The first calibration sample, taken when the class was initialised (before any count was read).</summary>
    internal static readonly (long Count, long Stopwatch) Start;

    /// <summary>
    /// With the counter, <see cref="DateTime"/> ticks per count measured over the class's first 100 µs (the writer's clock
    /// measures it again over longer spans); 0 when counts are stopwatch values.
    /// </summary>
    internal static readonly double StartTicksPerCount;

    static PreciseClock()
    {
        s_readCounter = AppContext.TryGetSwitch(StopwatchSwitch, out bool useStopwatch) && useStopwatch ? null : TryCreateCounter();
        UsesCycleCounter = s_readCounter != null;
        if (UsesCycleCounter) s_readCounterOrdered = (delegate* unmanaged[SuppressGCTransition]<long>)((byte*)s_readCounter + OrderedOffset);
        Start = Sample();
        if (UsesCycleCounter)
        {
            // A first rate needs two samples some way apart: 100 µs give it to about one part in 4,000, and the writer's
            // clock measures it again over longer spans (TimestampClock). Paid once per process.
            long until = Start.Stopwatch + Stopwatch.Frequency / 10_000;
            while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(10);
            var next = Sample();
            StartTicksPerCount = TicksPerCountBetween(Start, next);
        }
    }

    /// <summary><see cref="DateTime"/> ticks per count between two samples, the later one second (at least one count apart).</summary>
    internal static double TicksPerCountBetween((long Count, long Stopwatch) from, (long Count, long Stopwatch) to) =>
        (to.Stopwatch - from.Stopwatch) * TicksPerStopwatch / Math.Max(1, to.Count - from.Count);

    /// <summary>The current count: one <c>rdtsc</c> or one <see cref="Stopwatch.GetTimestamp"/> (see the remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Now() => UsesCycleCounter ? s_readCounter() : Stopwatch.GetTimestamp();

    /// <summary>
    /// <see cref="Now"/>, read only after every earlier instruction has completed. <c>rdtsc</c> alone may run ahead of an
    /// earlier load, so a thread that sees another's store (a hand-off) can read an earlier count than the other thread read
    /// before that store: stamps that order events across threads (<see cref="LogPipelineBuilder.ThreadLanes"/>) use this.
    /// The stopwatch's <c>clock_gettime</c> orders its read itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long NowOrdered() => UsesCycleCounter ? s_readCounterOrdered() : Stopwatch.GetTimestamp();

    /// <summary>
    /// A count and the <see cref="Stopwatch.GetTimestamp"/> value of the same instant: the count is read on both sides of
    /// the stopwatch and the midpoint taken, from the tightest of three tries (a try the thread was preempted in loses).
    /// </summary>
    public static (long Count, long Stopwatch) Sample()
    {
        if (!UsesCycleCounter)
        {
            long now = Stopwatch.GetTimestamp();
            return (now, now);
        }
        long best = long.MaxValue, count = 0, stopwatch = 0;
        for (int i = 0; i < 3; i++)
        {
            long before = s_readCounter();
            long s = Stopwatch.GetTimestamp();
            long after = s_readCounter();
            if (after - before < best)
            {
                best = after - before;
                count = before + (after - before) / 2;
                stopwatch = s;
            }
        }
        return (count, stopwatch);
    }

    /// <summary>The rdtsc function in a page of its own, or null where it must not or cannot be used.</summary>
    private static delegate* unmanaged[SuppressGCTransition]<long> TryCreateCounter()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux()) return null;
        if (!KernelClockIsTsc()) return null;
        if (!LibcSymbols.TryGet("mmap", out nint mmapAddress) || !LibcSymbols.TryGet("mprotect", out nint mprotectAddress)) return null;
        var mmap = (delegate* unmanaged<nint, nuint, int, int, int, nint, nint>)mmapAddress;
        var mprotect = (delegate* unmanaged<nint, nuint, int, int>)mprotectAddress;
        const int ProtRead = 1, ProtWrite = 2, ProtExec = 4, MapPrivate = 2, MapAnonymous = 0x20;
        const nuint PageSize = 4096;
        nint page = mmap(0, PageSize, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (page == -1 || page == 0) return null;
        ReadCounterCode.CopyTo(new Span<byte>((void*)page, (int)PageSize));
        ReadCounterOrderedCode.CopyTo(new Span<byte>((void*)(page + OrderedOffset), (int)PageSize - OrderedOffset));
        // Written, then made executable and read-only (never both writable and executable); a system that refuses
        // executable anonymous memory (SELinux execmem, PaX) fails here and keeps the stopwatch. The page is never
        // unmapped: the function is this process's clock from here on.
        if (mprotect(page, PageSize, ProtRead | ProtExec) != 0) return null;
        var read = (delegate* unmanaged[SuppressGCTransition]<long>)page;
        // The counter must move forward between two reads a little time apart; anything else and it is not used.
        long first = read();
        Thread.SpinWait(100);
        return read() > first ? read : null;
    }

    /// <summary>True when the kernel's current clock source is the time-stamp counter.</summary>
    private static bool KernelClockIsTsc()
    {
        try
        {
            return File.ReadAllText("/sys/devices/system/clocksource/clocksource0/current_clocksource").Trim() == "tsc";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return false;
        }
    }
}
