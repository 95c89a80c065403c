using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// Bounded lock-free multi-producer, single-consumer queue of <see cref="EventSlot"/> cells, after
/// Dmitry Vyukov's bounded MPMC queue: every cell carries a sequence number, so producers contend only
/// on the enqueue position (one CAS) and never on each other's cells, and the consumer never writes a
/// shared counter that producers read on their fast path.
/// </summary>
/// <remarks>
/// Invariants: a cell at index <c>p &amp; mask</c> is free for position <c>p</c> when its sequence is
/// <c>p</c>; it holds a published event for position <c>p</c> when its sequence is <c>p + 1</c>; the
/// consumer frees it for the next lap by writing <c>p + capacity</c>. Producers write the cell's
/// payload between a successful CAS and the release write of the sequence.
/// </remarks>
internal sealed class RingBuffer
{
    /// <summary>Interpolated parts or named arguments per cell held beside the ring (<see cref="Parts"/>).</summary>
    public const int PartsPerCell = 12;

    private readonly EventSlot[] _cells;
    private readonly ColdSlot[] _cold;
    private readonly long _mask;
    private SlotArgument[]? _parts;
    private SlotArgument[]?[]? _spill;
    private ClaimState _enqueue;
    private PaddedLong _dequeue;
    private long _closedUnconsumed; // under lock (_cells): unconsumed events already returned by Close

    public RingBuffer(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Ring buffer capacity must be a power of two of at least 2.");
        _cells = new EventSlot[capacity];
        _cold = new ColdSlot[capacity];
        for (int i = 0; i < capacity; i++) _cells[i].Sequence = i;
        _mask = capacity - 1;
    }

    public int Capacity => _cells.Length;

    /// <summary>The thread whose lane this ring is (<see cref="LaneSet"/>); null for a pipeline's one ring and for a shared lane.</summary>
    public Thread? LaneThread { get; init; }

    /// <summary>
    /// A lane that several threads take turns in (<see cref="LaneSet"/>, past its cap): never biased, and every claim,
    /// through <see cref="TryClaim"/> as any other, is <see cref="TryClaimStamped"/> (the claim stamps the cell).
    /// </summary>
    public bool SharedLane
    {
        get => _sharedLane;
        init
        {
            _sharedLane = value;
            if (value) _enqueue.Bias = Revoked; // never biased: every claim takes the lock
        }
    }

    private readonly bool _sharedLane;

    /// <summary>Positions claimed so far (published or about to be).</summary>
    public long EnqueuePosition => Volatile.Read(ref _enqueue.Value);

    /// <summary>Positions consumed so far (writer thread only writes it).</summary>
    public long DequeuePosition => Volatile.Read(ref _dequeue.Value);

    public long Depth => Math.Max(0, EnqueuePosition - DequeuePosition);

    /// <summary>Claims the next cell for <paramref name="thread"/> (the calling thread). Returns false when the ring is full.</summary>
    /// <remarks>
    /// <para>
    /// The ring is biased to the first thread that claims a cell: while no other thread has claimed one, that thread's
    /// claims take no locked instruction (<see cref="ClaimState"/>). A locked instruction waits for the thread's earlier
    /// stores, which are the previous call's cell, to leave its store buffer: on an Intel host that was 12.5 ns of a
    /// 22.7 ns store-and-claim model (docs/benchmarks-history.md, "Session 27"). The first claim by another thread
    /// revokes the bias for good (<see cref="Revoke"/>); from then on every thread claims with one compare-and-swap, as
    /// in Vyukov's queue.
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryClaim(Thread thread, out long position)
    {
        ref ClaimState c = ref _enqueue;
        if (ReferenceEquals(c.Owner, thread))
        {
            // Dekker's protocol with the barrier on one side only: Busy is stored before Bias is read. A revoking thread
            // stores Bias, makes every thread of the process pass a full barrier, then waits for Busy to clear, so either
            // this thread sees the revocation or the revoker sees it busy (and then sees this claim's store).
            Volatile.Write(ref c.OwnerBusy, 1);
            if (Volatile.Read(ref c.Bias) == Biased)
            {
                long pos = c.Value;
                bool free = Volatile.Read(ref Cell(pos).Sequence) == pos; // only the owner moves Value: never claimed since
                if (free) Volatile.Write(ref c.Value, pos + 1);
                Volatile.Write(ref c.OwnerBusy, 0);
                position = pos;
                return free;
            }
            Volatile.Write(ref c.OwnerBusy, 0);
        }
        else if (Volatile.Read(ref c.Bias) != Revoked)
        {
            return ClaimUnbiased(thread, out position);
        }
        return SharedLane ? TryClaimStamped(out position) : TryClaimShared(out position);
    }

    /// <summary>Bias states (<see cref="ClaimState.Bias"/>).</summary>
    private const int Biased = 0, Revoking = 1, Revoked = 2;

    /// <summary>
    /// A claim while the ring is biased and <paramref name="thread"/> is not its owner: the first thread to claim becomes
    /// the owner; any other revokes the bias (<see cref="Revoke"/>) and claims as every thread does from then on.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ClaimUnbiased(Thread thread, out long position)
    {
        ref ClaimState c = ref _enqueue;
        if (Volatile.Read(ref c.Bias) == Biased && Interlocked.CompareExchange(ref c.Owner, thread, null) is null)
        {
            // Revoked meanwhile (a revocation clears the owner): this thread must not stay the owner of nothing.
            if (Volatile.Read(ref c.Bias) != Biased) Interlocked.CompareExchange(ref c.Owner, null, thread);
            return TryClaim(thread, out position);
        }
        Revoke();
        return TryClaimShared(out position);
    }

    /// <summary>
    /// Ends the bias: the owner's claims then take the compare-and-swap like everyone's. Returns once no claim of the owner
    /// can still be in flight (its last claim's position is visible to every thread).
    /// </summary>
    private void Revoke()
    {
        ref ClaimState c = ref _enqueue;
        if (Interlocked.CompareExchange(ref c.Bias, Revoking, Biased) == Biased)
        {
            // Every thread passes a full barrier (Linux: membarrier, or the runtime's page-protection flush): from here the
            // owner's next read of Bias sees Revoking, and a claim it was making shows as Busy.
            Interlocked.MemoryBarrierProcessWide();
            var spin = new SpinWait();
            while (Volatile.Read(ref c.OwnerBusy) != 0) spin.SpinOnce();
            Volatile.Write(ref c.Owner, null); // its calls then skip the owner's path
            Volatile.Write(ref c.Bias, Revoked);
        }
        else
        {
            // Another thread is revoking: it is safe to claim only once it has waited for the owner.
            var spin = new SpinWait();
            while (Volatile.Read(ref c.Bias) != Revoked) spin.SpinOnce();
        }
    }

    /// <summary>For tests: the ring's owner while it is biased to one thread, null before the first claim and once revoked.</summary>
    internal Thread? Owner => Volatile.Read(ref _enqueue.Owner);

    /// <summary>
    /// True once the bias is revoked: every claim is then a compare-and-swap, a full fence (the writer's sleep relies on
    /// one: EventWriter). False before, and while a revocation is under way.
    /// </summary>
    internal bool BiasRevoked => Volatile.Read(ref _enqueue.Bias) == Revoked;

    /// <summary>For tests: true once a thread has begun to revoke the bias.</summary>
    internal bool RevocationStarted => Volatile.Read(ref _enqueue.Bias) != Biased;

    /// <summary>Vyukov's claim: one compare-and-swap on the enqueue position (every thread's, once the bias is revoked).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryClaimShared(out long position)
    {
        long pos = Volatile.Read(ref _enqueue.Value);
        while (true)
        {
            ref EventSlot cell = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cells), (nint)(pos & _mask));
            long diff = Volatile.Read(ref cell.Sequence) - pos;
            if (diff == 0)
            {
                long seen = Interlocked.CompareExchange(ref _enqueue.Value, pos + 1, pos);
                if (seen == pos) { position = pos; return true; }
                pos = seen;
            }
            else if (diff < 0)
            {
                position = 0;
                return false;
            }
            else
            {
                pos = Volatile.Read(ref _enqueue.Value);
            }
        }
    }

    /// <summary>
    /// A shared lane's claim (<see cref="SharedLane"/>): claims the next cell and stamps it with
    /// <see cref="PreciseClock.NowOrdered"/> under the lane's lock, so that the lane's positions are in the order of their
    /// stamps, which the writer's merge relies on (<c>EventWriter.DrainLanes</c>). Returns false when the lane is full.
    /// </summary>
    /// <remarks>
    /// The lock is held for the claim and the clock read only (tens of nanoseconds); a thread that finds it taken spins,
    /// then yields. Under the lock the claim needs no locked instruction of its own: only the holder moves the position.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)] // out of the callers' inlined TryClaim
    public bool TryClaimStamped(out long position)
    {
        ref ClaimState c = ref _enqueue;
        if (Interlocked.CompareExchange(ref c.ClaimLock, 1, 0) != 0) WaitForClaimLock();
        long pos = c.Value;
        ref EventSlot cell = ref Cell(pos);
        bool free = Volatile.Read(ref cell.Sequence) == pos;
        if (free)
        {
            Volatile.Write(ref c.Value, pos + 1);
            cell.Timestamp = PreciseClock.NowOrdered();
        }
        Volatile.Write(ref c.ClaimLock, 0);
        position = pos;
        return free;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WaitForClaimLock()
    {
        var spin = new SpinWait();
        do spin.SpinOnce(sleep1Threshold: -1);
        while (Volatile.Read(ref _enqueue.ClaimLock) != 0 || Interlocked.CompareExchange(ref _enqueue.ClaimLock, 1, 0) != 0);
    }

    /// <summary>
    /// False when the cell for the next position still holds an event of the previous lap (the ring is full); true when
    /// it is free or a producer has claimed it since (then another cell may be free).
    /// </summary>
    public bool HasRoom
    {
        get
        {
            long pos = Volatile.Read(ref _enqueue.Value);
            return Volatile.Read(ref Cell(pos).Sequence) - pos >= 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref EventSlot Cell(long position) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cells), (nint)(position & _mask));

    /// <summary>The cold part of the cell at <paramref name="position"/> (see <see cref="ColdSlot"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ColdSlot Cold(long position) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cold), (nint)(position & _mask));

    /// <summary>
    /// Producer, between claim and publish: stores inline value <paramref name="i"/> of the cell at
    /// <paramref name="position"/> (<paramref name="s"/>): its kind, reference and first payload word, in the hot cell or,
    /// past <see cref="EventSlot.HotValues"/>, in the cold one; the second word only when it is not zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreValue(ref EventSlot s, long position, int i, in LogValue value)
    {
        s.Kinds[i] = value.Kind;
        if (i < EventSlot.HotValues)
        {
            ref SlotValue v = ref s.Values[i];
            v.Ref = value.Ref;
            v.Lo = value.Lo;
        }
        else
        {
            StoreColdValue(ref s, position, i, value.Ref, value.Lo);
        }
        if (value.Hi != 0) StoreWide(ref s, position, i, value.Hi);
    }

    /// <summary>A value past <see cref="EventSlot.HotValues"/>: into the cold cell, which the writer then reads.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void StoreColdValue(ref EventSlot s, long position, int i, object? reference, ulong lo)
    {
        ref SlotValue v = ref Cold(position).Values[i - EventSlot.HotValues];
        v.Ref = reference;
        v.Lo = lo;
        s.HasRare = 1;
    }

    /// <summary>The second payload word of value <paramref name="i"/> (only when it is not zero), in the cold cell.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void StoreWide(ref EventSlot s, long position, int i, ulong hi)
    {
        Cold(position).Wide[i] = hi;
        s.WideMask |= (byte)(1 << i);
    }

    /// <summary>Consumer: inline value <paramref name="i"/> of the published cell at <paramref name="position"/>, as stored by <see cref="StoreValue"/>.</summary>
    public LogValue Value(ref EventSlot s, long position, int i)
    {
        ulong hi = (s.WideMask & (1 << i)) != 0 ? Cold(position).Wide[i] : 0;
        ref SlotValue v = ref i < EventSlot.HotValues ? ref s.Values[i] : ref Cold(position).Values[i - EventSlot.HotValues];
        return new LogValue(s.Kinds[i], v.Lo, hi, v.Ref);
    }

    /// <summary>
    /// Producer (between claim and publish) or consumer (of a published cell): the <see cref="PartsPerCell"/>
    /// argument parts of the cell at <paramref name="position"/>. They live in one array beside the cells,
    /// allocated on first use, so that the cells stay small for message-template calls, which never use it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<SlotArgument> Parts(long position)
    {
        var parts = Volatile.Read(ref _parts) ?? AllocateParts();
        return parts.AsSpan((int)(position & _mask) * PartsPerCell, PartsPerCell);
    }

    /// <summary>True once a call has needed the parts array (for tests: it is the ring's largest allocation).</summary>
    internal bool PartsAllocated => Volatile.Read(ref _parts) is not null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SlotArgument[] AllocateParts()
    {
        // Racing producers: one array wins; it is published before any cell that uses it (release on the cell's sequence).
        Interlocked.CompareExchange(ref _parts, new SlotArgument[_cells.Length * PartsPerCell], null);
        return _parts!;
    }

    /// <summary>
    /// The most parts a cell keeps an array for (<see cref="Spill"/>); a call with more rents one from the shared pool
    /// for itself, which the writer returns.
    /// </summary>
    /// <remarks>
    /// It bounds what the kept arrays can cost: 32 parts of 48 bytes are 1.5 KB per cell, 12 MB for 8,192 cells if every
    /// cell once took such a call. A request's scope pairs and a call's own values (13 to 24 parts) fit.
    /// </remarks>
    public const int MaxKeptSpill = 32;

    /// <summary>
    /// Producer (between claim and publish): an array for the <paramref name="count"/> parts (more than
    /// <see cref="PartsPerCell"/>) of the cell at <paramref name="position"/>, to be stored in <see cref="EventSlot.Overflow"/>.
    /// </summary>
    /// <remarks>
    /// Up to <see cref="MaxKeptSpill"/> parts, the array is the cell's own: kept from one lap to the next (the writer drops
    /// only the values it refers to, as for <see cref="Parts"/>), grown when a call needs more, and allocated the first time
    /// the cell needs one. The thread that claimed the cell is the only one to touch it until the writer releases it, so
    /// this takes no lock and, once every cell that overflows has its array, allocates nothing. A pool shared with the
    /// writer thread did neither: the writer returned arrays to its own thread's cache, and in a burst the calling thread
    /// found the pool empty and allocated 393–558 bytes per call (docs/benchmarks-history.md, "Session 23").
    /// </remarks>
    public SlotArgument[] Spill(long position, int count)
    {
        Debug.Assert(count > PartsPerCell);
        if (count > MaxKeptSpill) return ArrayPool<SlotArgument>.Shared.Rent(count);
        var spill = Volatile.Read(ref _spill) ?? AllocateSpill();
        ref SlotArgument[]? kept = ref spill[(int)(position & _mask)];
        var array = kept;
        if (array is null || array.Length < count) kept = array = new SlotArgument[(count + 7) & ~7];
        return array;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SlotArgument[]?[] AllocateSpill()
    {
        Interlocked.CompareExchange(ref _spill, new SlotArgument[]?[_cells.Length], null);
        return _spill!;
    }

    /// <summary>
    /// Consumer: forgets the values of the first <paramref name="count"/> parts of a released cell (names and formats
    /// stay, as in <see cref="Parts"/>), or returns a pooled overflow array (<see cref="Spill"/>) cleared.
    /// </summary>
    private void DropParts(ref EventSlot cell, long position, int count)
    {
        var overflow = cell.Overflow;
        if (overflow is null)
        {
            foreach (ref var part in Parts(position)[..Math.Min(count, PartsPerCell)]) DropReference(ref part.Value);
        }
        else if (overflow.Length <= MaxKeptSpill)
        {
            foreach (ref var part in overflow.AsSpan(0, count)) DropReference(ref part.Value);
        }
        else
        {
            overflow.AsSpan(0, count).Clear();
            ArrayPool<SlotArgument>.Shared.Return(overflow);
        }
    }

    /// <summary>Makes a claimed cell visible to the consumer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Publish(long position) => Volatile.Write(ref Cell(position).Sequence, position + 1);

    /// <summary>Consumer: the next published cell, if any.</summary>
    public bool TryPeek(out long position)
    {
        position = _dequeue.Value;
        return Volatile.Read(ref Cell(position).Sequence) == position + 1;
    }

    /// <summary>
    /// Consumer: clears the references to what the call captured (so the GC can collect it; the logger and
    /// template string stay, see below), resets the fields a producer
    /// writes only when they differ from the default (exception, scope, trace ids and flags, slot flags,
    /// event id and name: see <c>Logger.Begin</c>), and frees the cell for the next lap.
    /// </summary>
    public void Release(long position)
    {
        ref EventSlot cell = ref Cell(position);
        Debug.Assert(cell.Sequence == position + 1, "releasing a cell that is not published");
        // The logger and the template string stay: they are the application's long-lived objects (loggers
        // are kept, templates are literals), and the next call in this cell usually brings the same ones,
        // which it then stores without a GC write barrier (Logger.Begin compares first).
        if (cell.HasRare != 0)
        {
            // The cold cell: only a call that stored something there set HasRare (its names stay, like the template).
            ref ColdSlot cold = ref Cold(position);
            cold.Exception = null;
            cold.Scope = null;
            cold.TraceId = default;
            cold.SpanId = default;
            cold.TraceFlags = default;
            cold.EventId = 0;
            cold.EventName = null;
            for (int i = 0; i < EventSlot.InlineArguments - EventSlot.HotValues; i++) DropReference(ref cold.Values[i]);
            cell.HasRare = 0;
        }
        // Values are inline for a template call without overflow and for a shaped interpolated call (whose
        // ArgumentCount is its parts count, at least as many as its values); other calls used the parts array.
        if (cell.Flags == SlotFlags.None || (cell.Flags & SlotFlags.Shaped) != 0) // a template call with inline values never has an overflow array
        {
            int n = Math.Min(cell.ArgumentCount, EventSlot.HotValues);
            for (int i = 0; i < n; i++) DropReference(ref cell.Values[i]);
        }
        else if ((cell.Flags & SlotFlags.InlineNames) != 0)
        {
            int own = Cold(position).Names!.Length;
            for (int i = 0; i < Math.Min(own, EventSlot.HotValues); i++) DropReference(ref cell.Values[i]);
            // A snapshot's shared parts (SlotFlags.SharedScopes) are not the cell's: nothing of them is dropped.
            if (cell.ArgumentCount > own && (cell.Flags & SlotFlags.SharedScopes) == 0) DropParts(ref cell, position, cell.ArgumentCount - own);
        }
        else if (cell.ArgumentCount > 0)
        {
            // Only the values: names and formats are the call sites' strings, and the next call that uses this cell
            // usually brings the same ones (Logger.Write stores them only when they differ).
            DropParts(ref cell, position, cell.ArgumentCount);
        }
        if (cell.Flags != SlotFlags.None && cell.Overflow is not null) cell.Overflow = null; // the cell's own (kept in _spill), a pooled one (returned above), a shape's or a scope snapshot's
        if (cell.Flags != default) cell.Flags = default;
        if (cell.WideMask != 0) cell.WideMask = 0;
        Volatile.Write(ref cell.Sequence, position + _cells.Length);
        Volatile.Write(ref _dequeue.Value, position + 1);
    }

    /// <summary>
    /// Forgets the object or string <paramref name="value"/> refers to. A number is left as it is: the next call in the cell
    /// writes every value it uses, so only references matter (for the GC), and a value without one costs no stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DropReference(ref LogValue value)
    {
        if (value.Ref is not null) value = default;
    }

    /// <summary>Forgets the object or string an inline value refers to (its number and kind stay, see above).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DropReference(ref SlotValue value)
    {
        if (value.Ref is not null) value.Ref = null;
    }

    /// <summary>
    /// After the consumer has stopped: makes every cell look full forever, so that later claims fail
    /// (and are counted as dropped by the caller's slow path), and returns how many claimed events
    /// were never consumed and not returned by an earlier call (the writer closes the ring when it fails,
    /// disposal closes it again: a claim that raced the first call is counted by the second).
    /// </summary>
    public long Close()
    {
        for (int i = 0; i < _cells.Length; i++) Volatile.Write(ref _cells[i].Sequence, long.MinValue / 2);
        lock (_cells)
        {
            long unconsumed = Math.Max(0, EnqueuePosition - DequeuePosition);
            long newlyCounted = unconsumed - _closedUnconsumed;
            _closedUnconsumed = unconsumed;
            return Math.Max(0, newlyCounted);
        }
    }

    /// <summary>
    /// The enqueue position and the bias of <see cref="TryClaim"/>, on a cache line of their own (the owner writes them
    /// on every claim, nobody else on the fast path).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct ClaimState
    {
        /// <summary>The next position to claim.</summary>
        [FieldOffset(64)] public long Value;
        /// <summary>1 while the owner is in <see cref="TryClaim"/>'s biased path.</summary>
        [FieldOffset(72)] public int OwnerBusy;
        /// <summary><see cref="Biased"/>, <see cref="Revoking"/> or <see cref="Revoked"/>.</summary>
        [FieldOffset(76)] public int Bias;
        /// <summary>The thread the ring is biased to (null before the first claim and once revoked).</summary>
        [FieldOffset(80)] public Thread? Owner;
        /// <summary>A shared lane's claim lock (<see cref="TryClaimStamped"/>): 1 while a thread claims.</summary>
        [FieldOffset(88)] public int ClaimLock;
    }

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedLong
    {
        [FieldOffset(64)] public long Value;
    }
}
