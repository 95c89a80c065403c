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
        if (b is null) t_cached = b = new PropertyBuffer();
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
        if (PairCount == _pairs.Length) Array.Resize(ref _pairs, _pairs.Length * 2);
        _pairs[PairCount++] = new KeyValuePair<string, object?>(name, value);
    }

    public void AddScopeMessage(string message) => (ScopeMessages ??= new List<string>(2)).Add(message);

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
