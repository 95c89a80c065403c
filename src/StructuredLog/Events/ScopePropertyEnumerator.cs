using StructuredLog.Context;

namespace StructuredLog.Events;

/// <summary>
/// Enumerates the scope properties of an event as formats write them: innermost scope first, skipping
/// a name that the event itself or an inner scope already has. Allocation-free.
/// </summary>
public ref struct ScopePropertyEnumerator
{
    private readonly LogEvent _event;
    private ScopeNode? _scope;
    private int _index;

    internal ScopePropertyEnumerator(LogEvent logEvent)
    {
        _event = logEvent;
        _scope = logEvent.Scope;
        _index = 0;
        Current = default;
    }

    /// <summary>The current property.</summary>
    public LogProperty Current { get; private set; }

    /// <summary>Returns this enumerator (so that it can be used in <c>foreach</c>).</summary>
    public readonly ScopePropertyEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next visible scope property.</summary>
    public bool MoveNext()
    {
        while (_scope is not null)
        {
            var properties = _scope.PropertyArray;
            while (_index < properties.Length)
            {
                var p = properties[_index++];
                if (IsShadowed(p.Name, _event.Properties, _event.Scope, _scope)) continue;
                Current = p;
                return true;
            }
            _scope = _scope.Parent;
            _index = 0;
        }
        return false;
    }

    /// <summary>
    /// Whether a property <paramref name="name"/> of <paramref name="scope"/> is hidden: one of the event's own properties
    /// (<paramref name="own"/>) or of a scope between <paramref name="innermost"/> and <paramref name="scope"/> has that name.
    /// The rule formats that walk the scope chain themselves share with this enumerator.
    /// </summary>
    internal static bool IsShadowed(string name, ReadOnlySpan<LogProperty> own, ScopeNode? innermost, ScopeNode scope)
    {
        foreach (ref readonly var p in own) if (string.Equals(p.Name, name, StringComparison.Ordinal)) return true;
        for (var s = innermost; s is not null && !ReferenceEquals(s, scope); s = s.Parent)
            foreach (ref readonly var p in s.PropertyArray.AsSpan()) if (string.Equals(p.Name, name, StringComparison.Ordinal)) return true;
        return false;
    }
}
