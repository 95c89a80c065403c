using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// A per-thread, growable list of the properties of one event (read from its state) and of the pairs of its scopes,
/// used to assemble the event before it is copied into the ring buffer, so that steady-state calls do not allocate
/// an array. Re-entrant calls (a value whose enumeration logs) get a fresh buffer instead of corrupting the one in use.
/// </summary>
internal sealed class PropertyBuffer
{
    [ThreadStatic] private static PropertyBuffer? t_cached;

    private LogProperty[] _items = new LogProperty[16];
    private KeyValuePair<string, object?>[] _pairs = new KeyValuePair<string, object?>[16];
    private bool _rented;

    public int Count { get; private set; }

    /// <summary>Number of scope pairs gathered (<see cref="ScopePairs"/>).</summary>
    public int PairCount { get; private set; }

    /// <summary>Messages of scopes that carry no properties (e.g. <c>BeginScope("text")</c>).</summary>
    public List<string>? ScopeMessages { get; private set; }

    /// <summary>The event's own properties.</summary>
    public ReadOnlySpan<LogProperty> Span => _items.AsSpan(0, Count);

    /// <summary>The scopes' pairs, outermost first, as captured (names without their <c>@</c>/<c>$</c> prefix; values not converted).</summary>
    public ReadOnlySpan<KeyValuePair<string, object?>> ScopePairs => _pairs.AsSpan(0, PairCount);

    /// <summary>
    /// The thread's buffer, marked as in use; a re-entrant call (its buffer already in use) gets a buffer of its own,
    /// not kept. One read of the thread-static field per call: the mark is on the buffer, not in the field.
    /// </summary>
    public static PropertyBuffer Rent()
    {
        var b = t_cached;
        if (b is null) t_cached = b = new PropertyBuffer { _keepsSnapshots = true };
        else if (b._rented) b = new PropertyBuffer();
        b._rented = true;
        return b;
    }

    public void Return()
    {
        // Do not keep references to application objects alive on an idle thread.
        if (Count > 0) Array.Clear(_items, 0, Count);
        if (PairCount > 0) Array.Clear(_pairs, 0, PairCount);
        Count = 0;
        PairCount = 0;
        ScopeMessages?.Clear();
        _checking = null;
        _rented = false;
        // A buffer that grew for an unusually large event is not kept for the thread.
        if ((_items.Length > 256 || _pairs.Length > 256) && ReferenceEquals(t_cached, this)) t_cached = null;
    }

    public void Add(in LogProperty property)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = property;
    }

    public void AddScopePair(string name, object? value)
    {
        if (_checking is { } snap)
        {
            // The walk so far brought the previous event's pairs: compare instead of copying while it still does.
            if (_checked < snap.Count && ReferenceEquals(snap.Pairs[_checked].Key, name) && ReferenceEquals(snap.Pairs[_checked].Value, value))
            {
                _checked++;
                return;
            }
            StopChecking();
        }
        if (PairCount == _pairs.Length) Array.Resize(ref _pairs, _pairs.Length * 2);
        _pairs[PairCount++] = new KeyValuePair<string, object?>(name, value);
    }

    public void AddScopeMessage(string message)
    {
        if (_checking is not null) StopChecking();
        (ScopeMessages ??= new List<string>(2)).Add(message);
    }

    // The scope snapshot of this thread (see BeginScopes): the pairs its last typed event brought, and their shared
    // ScopePropertySnapshot once two events in a row brought the same ones. Only the thread's own buffer keeps one.
    private bool _keepsSnapshots;
    private ScopeSnapshotState? _snapshot; // read once per event by the owner thread; set to null by the sweep
    private volatile bool _snapshotUsed;
    private bool _registered;
    private ScopeSnapshotState? _checking; // during a walk: the pairs being compared against (null: copying)
    private int _checked;

    /// <summary>
    /// Before a typed event's scope walk: when the thread's last typed event went through the same scope provider, the
    /// walk compares each pair with that event's instead of copying it (<see cref="AddScopePair"/>).
    /// </summary>
    public void BeginScopes(ScopeWalker walker)
    {
        _checked = 0;
        var snap = Volatile.Read(ref _snapshot);
        _checking = snap is not null && ReferenceEquals(snap.Walker, walker) && snap.Count > 0 ? snap : null;
    }

    /// <summary>
    /// After the walk (and <see cref="AddScopeMessagePair"/>): the shared snapshot when the walk brought exactly the same
    /// pairs (the same key and value references, in order) as the thread's previous typed event, which makes it the
    /// second such event or a later one; otherwise null (the pairs are in <see cref="ScopePairs"/>), and these pairs
    /// become the ones the next event is compared with. A scope without pairs (a text scope) never gets a snapshot.
    /// </summary>
    public ScopePropertySnapshot? EndScopes(ScopeWalker walker)
    {
        if (!_keepsSnapshots) return null;
        if (_checking is { } snap)
        {
            _checking = null;
            if (_checked == snap.Count)
            {
                _snapshotUsed = true;
                SnapshotEvents++;
                return snap.Shared ??= new ScopePropertySnapshot(snap.Pairs.AsSpan(0, snap.Count));
            }
            CopyChecked(snap); // the walk ended early: fewer pairs than last time
        }
        if (PairCount == 0 || ScopeMessages is { Count: > 0 })
        {
            Volatile.Write(ref _snapshot, null);
            return null;
        }
        var state = Volatile.Read(ref _snapshot) ?? new ScopeSnapshotState();
        state.Set(walker, ScopePairs);
        Volatile.Write(ref _snapshot, state);
        _snapshotUsed = true;
        if (!_registered)
        {
            _registered = true;
            ScopeSnapshotSweep.Register(this);
        }
        return null;
    }

    /// <summary>The sweep (another thread): forgets the snapshot when no event used it since the last sweep, so that an idle thread does not keep a finished request's values.</summary>
    internal void SweepSnapshot()
    {
        if (_snapshotUsed) _snapshotUsed = false;
        else Volatile.Write(ref _snapshot, null);
    }

    /// <summary>For tests: events of this thread that took the shared snapshot.</summary>
    internal long SnapshotEvents { get; private set; }

    /// <summary>For tests: whether this thread's buffer holds a snapshot's pairs.</summary>
    internal bool HoldsSnapshot => Volatile.Read(ref _snapshot) is not null;

    /// <summary>A pair differed from the previous event's: the pairs matched so far are copied, and the walk copies from here on.</summary>
    private void StopChecking()
    {
        var snap = _checking!;
        _checking = null;
        CopyChecked(snap);
    }

    private void CopyChecked(ScopeSnapshotState snap)
    {
        if (_pairs.Length < _checked) Array.Resize(ref _pairs, Math.Max(_checked, _pairs.Length * 2));
        snap.Pairs.AsSpan(0, _checked).CopyTo(_pairs);
        PairCount = _checked;
    }

    /// <summary>For tests: the thread's own buffer (null until the thread's first event through the provider).</summary>
    internal static PropertyBuffer? ForThread => t_cached;

    /// <summary>
    /// The text of property-less scopes as one <c>Scope</c> pair (<c>outer =&gt; inner</c>) after the other pairs, unless
    /// a scope pair has that name (an event property of that name wins on the writer thread).
    /// </summary>
    public void AddScopeMessagePair(string name)
    {
        if (ScopeMessages is not { Count: > 0 } messages) return;
        foreach (var pair in ScopePairs)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal)) return;
        }
        AddScopePair(name, messages.Count == 1 ? messages[0] : string.Join(" => ", messages));
    }
}
