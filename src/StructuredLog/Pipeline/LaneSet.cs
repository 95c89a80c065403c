using System.Runtime.CompilerServices;

namespace StructuredLog.Pipeline;

/// <summary>
/// The rings of a pipeline built with <see cref="LogPipelineBuilder.ThreadLanes"/>: one per thread that logs. Only its
/// thread claims in a lane, so every claim takes the ring's biased path (<see cref="RingBuffer.TryClaim"/>: plain stores,
/// no locked instruction), and threads that log at the same time share no cache line. The writer merges the lanes by
/// timestamp (<c>EventWriter.DrainLanes</c>).
/// </summary>
/// <remarks>
/// Lanes are added under a lock the first time a thread logs, published as a new array (the writer reads whichever it
/// finds: a lane added after its read waits for its next one), and dropped once their thread has ended and the writer
/// has consumed everything in them (<see cref="DropEnded"/>).
/// </remarks>
internal sealed class LaneSet
{
    private readonly object _gate = new();
    private readonly Dictionary<Thread, RingBuffer> _byThread = new(); // under _gate
    private RingBuffer[] _lanes = [];
    private long _retiredEnqueued; // under _gate: events claimed in lanes since dropped
    private bool _closed; // under _gate

    /// <summary>The calling thread's last lane, and the set it belongs to (a thread may log into several pipelines).</summary>
    [ThreadStatic] private static (LaneSet? Set, RingBuffer? Lane) t_last;

    public LaneSet(int cellsPerLane) => CellsPerLane = cellsPerLane;

    /// <summary>Lanes created since the pipeline started (for tests; written under the lock).</summary>
    internal int Created { get; private set; }

    /// <summary>The capacity of each lane.</summary>
    public int CellsPerLane { get; }

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
        RingBuffer? lane;
        lock (_gate)
        {
            if (!_byThread.TryGetValue(thread, out lane))
            {
                lane = new RingBuffer(CellsPerLane) { LaneThread = thread };
                if (_closed) lane.Close();
                _byThread.Add(thread, lane);
                Volatile.Write(ref _lanes, [.. _lanes, lane]);
                Created++;
            }
        }
        t_last = (this, lane);
        return lane;
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

    /// <summary>A lane whose thread has ended and whose every event the writer has consumed.</summary>
    private static bool Ended(RingBuffer lane) => !lane.LaneThread!.IsAlive && lane.EnqueuePosition == lane.DequeuePosition;

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
