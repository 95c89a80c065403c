using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// Keeps the event records of the last writer that stopped, for a few seconds, for the next pipeline built in the process.
/// </summary>
/// <remarks>
/// A writer creates its records as its batches first reach each size: up to <c>WriterBatchSize</c> of them (4,096 by
/// default, about 2.7 MB with their property arrays). A pipeline that is built, used and disposed (tests, a
/// reconfiguration, a job that builds one per run, the end-to-end benchmark's iterations) allocated them all again, and
/// they then moved through the GC's generations while it logged: a fresh pipeline's first 200,000 events ran about 8 %
/// slower than with records it took over (median of 16 alternations; docs/benchmarks-history.md, "Session 20"). So a writer that stops normally detaches its
/// records from everything (<see cref="EventRecord.Detach"/>: no application object, and none of its pipeline's) and
/// leaves them here; the next writer with the same batch size takes them. At most one set is kept, and it is let go
/// <see cref="Retention"/> after it was left if no pipeline took it, so a process that has stopped logging keeps nothing.
/// </remarks>
internal static class RecordCache
{
    /// <summary>How long a set left by a stopped writer is kept for the next pipeline.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(10);

    private static readonly object s_lock = new();
    private static EventRecord[]? s_records;
    private static Timer? s_expiry; // under s_lock

    /// <summary>
    /// The cached set if it has <paramref name="length"/> entries, else a new empty one. Either way the cache is emptied: a
    /// set of another size is let go, as a pipeline with a different batch size would never take it.
    /// </summary>
    public static EventRecord[] Rent(int length)
    {
        var cached = Interlocked.Exchange(ref s_records, null);
        return cached is not null && cached.Length == length ? cached : new EventRecord[length];
    }

    /// <summary>A stopped writer's records (no thread uses them any more): detached, then kept for <see cref="Retention"/>.</summary>
    public static void Return(EventRecord[] records)
    {
        foreach (EventRecord? record in records) record?.Detach(); // created lazily: the batch may never have reached every size
        lock (s_lock)
        {
            Volatile.Write(ref s_records, records);
            if (s_expiry is null)
            {
                // Without the disposing thread's execution context: the timer would keep its async locals (an activity, scopes) alive.
                using (ExecutionContext.SuppressFlow()) s_expiry = new Timer(static _ => Expire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            s_expiry.Change(Retention, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Lets the cached set go (the timer's callback; tests call it directly).</summary>
    public static void Expire()
    {
        lock (s_lock) Volatile.Write(ref s_records, null);
    }

    /// <summary>For tests: the set currently cached, if any.</summary>
    internal static EventRecord[]? Cached => Volatile.Read(ref s_records);
}
