using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// A per-thread, growable list of properties used to assemble one event before it is copied into the
/// ring buffer, so that steady-state calls do not allocate an array. Re-entrant calls (a value whose
/// enumeration logs) get a fresh buffer instead of corrupting the one in use.
/// </summary>
internal sealed class PropertyBuffer
{
    [ThreadStatic] private static PropertyBuffer? t_cached;

    private LogProperty[] _items = new LogProperty[16];
    private bool _rented;

    public int Count { get; private set; }

    /// <summary>Number of leading properties that came from the call's state (scopes follow).</summary>
    public int StateCount { get; set; }

    /// <summary>Messages of scopes that carry no properties (e.g. <c>BeginScope("text")</c>).</summary>
    public List<string>? ScopeMessages { get; private set; }

    public ReadOnlySpan<LogProperty> Span => _items.AsSpan(0, Count);

    public static PropertyBuffer Rent()
    {
        var b = t_cached;
        if (b is null || b._rented) b = new PropertyBuffer();
        else t_cached = null;
        b._rented = true;
        return b;
    }

    public void Return()
    {
        // Do not keep references to application objects alive on an idle thread.
        Array.Clear(_items, 0, Count);
        Count = 0;
        StateCount = 0;
        ScopeMessages?.Clear();
        _rented = false;
        if (_items.Length <= 256) t_cached = this;
    }

    public void Add(in LogProperty property)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = property;
    }

    /// <summary>Index of the property named <paramref name="name"/> at or after <paramref name="start"/>, or -1.</summary>
    public int IndexOf(string name, int start)
    {
        for (int i = start; i < Count; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    public void Replace(int index, in LogProperty property) => _items[index] = property;

    public void AddScopeMessage(string message) => (ScopeMessages ??= new List<string>(2)).Add(message);
}
