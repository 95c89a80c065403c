namespace StructuredLog.Pipeline;

/// <summary>
/// Marks a pipeline helper thread (the format worker, a batching sink's I/O thread) as a batch thread for the Linux
/// scheduler (<c>SCHED_BATCH</c>): such a thread, when woken, waits for the running thread's turn instead of preempting
/// it. The writer wakes these threads many thousand times a second under load, and the kernel places a woken thread on
/// the waker's core; as ordinary threads they preempted the writer there (the pipeline's busiest thread) while the
/// other core sat idle (docs/benchmarks-history.md, "Session 25"). A batch thread waits instead, and an idle core takes
/// it over. Nothing else changes: same nice value, no privileges needed, and a no-op on other systems or when the call
/// is refused. The writer thread itself keeps the normal policy. An application that wants the normal policy for these
/// threads too sets the <see cref="NormalSchedulingSwitch"/> switch (<c>AppContext.SetSwitch</c> before the pipeline
/// starts, or <c>runtimeconfig.json</c>).
/// </summary>
internal static unsafe class BackgroundScheduling
{
    /// <summary>The <c>AppContext</c> switch that keeps helper threads on the normal policy.</summary>
    internal const string NormalSchedulingSwitch = "StructuredLog.HelperThreadsUseNormalScheduling";

    private const int SchedBatch = 3;
    private static readonly delegate* unmanaged<int, int, int*, int> s_setScheduler;

    static BackgroundScheduling()
    {
        if (LibcSymbols.TryGet("sched_setscheduler", out var address)) s_setScheduler = (delegate* unmanaged<int, int, int*, int>)address;
    }

    /// <summary>Makes the calling thread a batch thread; false where the platform has no such policy or refused it.</summary>
    public static bool TryMarkCurrentThread()
    {
        if (s_setScheduler is null) return false;
        if (AppContext.TryGetSwitch(NormalSchedulingSwitch, out bool normal) && normal) return false;
        int priority = 0; // struct sched_param { int sched_priority; }: 0 for the normal policies
        return s_setScheduler(0, SchedBatch, &priority) == 0; // pid 0: the calling thread
    }
}
