using System.Runtime.CompilerServices;

namespace StructuredLog.Pipeline;

/// <summary>
/// The rings of a pipeline built with <see cref="LogPipelineBuilder.ThreadLanes"/>: one per thread that logs. Only its
/// thread claims in a lane, so every claim takes the ring's biased path (<see cref="RingBuffer.TryClaim"/>: plain stores,
/// no locked instruction), and threads that log at the same time share no cache line. The writer merges the lanes by
/// timestamp (<c>EventWriter.DrainLanes</c>).
/// </summary>
/// <remarks>
/// <para>
/// Lanes are added under a lock the first time a thread logs, published as a new array (the writer reads whichever it
/// finds: a lane added after its read waits for its next one), and dropped once their thread has ended and the writer
/// has consumed everything in them (<see cref="DropEnded"/>).
/// </para>
/// <para>
/// At most <see cref="MaxThreadLanes"/> threads have a lane of their own at a time. A thread that first logs while that
/// many lanes are in use shares one of <see cref="SharedLaneCount"/> shared lanes (chosen by its managed thread id):
/// threads take turns in a shared lane under a lock held for the claim and the timestamp
/// (<see cref="RingBuffer.TryClaimStamped"/>), so a shared lane's events are in timestamp order like a thread's own. This
/// bounds the memory and the merge's work when an application logs from hundreds of threads (a thread pool).
/// </para>
/// </remarks>
internal sealed class LaneSet
{
    private readonly object _gate = new();
    private readonly Dictionary<Thread, RingBuffer> _byThread = new(); // under _gate
    private RingBuffer[] _lanes = [];
    private readonly RingBuffer?[] _shared; // under _gate: created on first use
    private long _retiredEnqueued; // under _gate: events claimed in lanes since dropped
    private bool _closed; // under _gate

    /// <summary>The calling thread's last lane, and the set it belongs to (a thread may log into several pipelines).</summary>
    [ThreadStatic] private static (LaneSet? Set, RingBuffer? Lane) t_last;

    /// <summary>
    /// The default cap on lanes of their own: four per processor, at most 64. The writer compares every lane's next event
    /// for each event it takes (a scan, fast for tens of lanes), and each lane holds its cells' memory.
    /// </summary>
    public static int DefaultMaxThreadLanes => Math.Min(4 * Environment.ProcessorCount, 64);

    /// <summary>The default number of shared lanes: one per processor, at most 16.</summary>
    public static int DefaultSharedLanes => Math.Min(Environment.ProcessorCount, 16);

    public LaneSet(int cellsPerLane, int maxThreadLanes, int sharedLanes)
    {
        CellsPerLane = cellsPerLane;
        MaxThreadLanes = maxThreadLanes;
        _shared = new RingBuffer?[sharedLanes];
    }

    /// <summary>Lanes of their own created since the pipeline started (for tests; written under the lock).</summary>
    internal int Created { get; private set; }

    /// <summary>Shared lanes created since the pipeline started (for tests; written under the lock).</summary>
    internal int SharedCreated { get; private set; }

    /// <summary>The capacity of each lane.</summary>
    public int CellsPerLane { get; }

    /// <summary>How many threads may have a lane of their own at a time.</summary>
    public int MaxThreadLanes { get; }

    /// <summary>How many shared lanes the threads past <see cref="MaxThreadLanes"/> are spread over.</summary>
    public int SharedLaneCount => _shared.Length;

    /// <summary>Every lane now (a new array whenever one is added or dropped).</summary>
    public RingBuffer[] Lanes => Volatile.Read(ref _lanes);

    /// <summary>The lane of <paramref name="thread"/> (the calling thread), created on its first call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RingBuffer For(Thread thread)
    {
        var last = t_last;
        return ReferenceEquals(last.Set, this) ? last.Lane! : Find(thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private RingBuffer Find(Thread thread)
    {
        RingBuffer lane;
        lock (_gate)
        {
            if (!_byThread.TryGetValue(thread, out var own)) own = _byThread.Count < MaxThreadLanes ? AddOwn(thread) : null;
            // Past the cap: a shared lane. The thread keeps it while t_last does (a later look-up may give it a lane of its
            // own once lanes are free: the merge orders its events by their stamps wherever they are).
            lane = own ?? SharedFor(thread);
        }
        t_last = (this, lane);
        return lane;
    }

    /// <summary>Under the lock: a new lane of <paramref name="thread"/>'s own.</summary>
    private RingBuffer AddOwn(Thread thread)
    {
        var lane = new RingBuffer(CellsPerLane) { LaneThread = thread };
        _byThread.Add(thread, lane);
        Created++;
        Publish(lane);
        return lane;
    }

    /// <summary>Under the lock: the shared lane of <paramref name="thread"/> (by its managed thread id), created on first use.</summary>
    private RingBuffer SharedFor(Thread thread)
    {
        ref var lane = ref _shared[(int)((uint)thread.ManagedThreadId % (uint)_shared.Length)];
        if (lane is null)
        {
            lane = new RingBuffer(CellsPerLane) { SharedLane = true };
            SharedCreated++;
            Publish(lane);
        }
        return lane;
    }

    /// <summary>Under the lock: adds <paramref name="lane"/> to the array the writer reads (closed at once after <see cref="Close"/>).</summary>
    private void Publish(RingBuffer lane)
    {
        if (_closed) lane.Close();
        Volatile.Write(ref _lanes, [.. _lanes, lane]);
    }

    /// <summary>Events claimed in every lane since the pipeline started (lanes since dropped included).</summary>
    public long Enqueued
    {
        get
        {
            lock (_gate)
            {
                long n = _retiredEnqueued;
                foreach (var lane in _lanes) n += lane.EnqueuePosition;
                return n;
            }
        }
    }

    /// <summary>Events claimed and not yet consumed by the writer, over every lane.</summary>
    public long Depth
    {
        get
        {
            long n = 0;
            foreach (var lane in Lanes) n += lane.Depth;
            return n;
        }
    }

    /// <summary>Writer: true when some lane holds a claimed event the writer has not consumed.</summary>
    public bool AnyPending()
    {
        foreach (var lane in Lanes)
        {
            if (lane.EnqueuePosition != lane.DequeuePosition) return true;
        }
        return false;
    }

    /// <summary>
    /// Writer: drops the lanes whose thread has ended and whose events it has all consumed (a thread that has ended claims
    /// nothing more, so the lane stays empty).
    /// </summary>
    public void DropEnded()
    {
        if (!Array.Exists(Lanes, Ended)) return; // the usual case: no lock, no new array
        lock (_gate)
        {
            var kept = new List<RingBuffer>(_lanes.Length);
            foreach (var lane in _lanes)
            {
                if (Ended(lane))
                {
                    _retiredEnqueued += lane.EnqueuePosition;
                    _byThread.Remove(lane.LaneThread!);
                }
                else
                {
                    kept.Add(lane);
                }
            }
            Volatile.Write(ref _lanes, kept.ToArray());
        }
    }

    /// <summary>A thread's own lane whose thread has ended and whose every event the writer has consumed (shared lanes stay).</summary>
    private static bool Ended(RingBuffer lane) =>
        lane.LaneThread is { IsAlive: false } && lane.EnqueuePosition == lane.DequeuePosition;

    /// <summary>Closes every lane (and every lane created from now on): see <see cref="RingBuffer.Close"/>.</summary>
    public long Close()
    {
        lock (_gate)
        {
            _closed = true;
            long unconsumed = 0;
            foreach (var lane in _lanes) unconsumed += lane.Close();
            return unconsumed;
        }
    }
}
