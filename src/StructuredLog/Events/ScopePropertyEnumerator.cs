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
                if (IsShadowed(p.Name)) continue;
                Current = p;
                return true;
            }
            _scope = _scope.Parent;
            _index = 0;
        }
        return false;
    }

    private readonly bool IsShadowed(string name)
    {
        foreach (ref readonly var p in _event.Properties) if (p.Name == name) return true;
        for (var s = _event.Scope; s is not null && !ReferenceEquals(s, _scope); s = s.Parent)
            foreach (var p in s.PropertyArray) if (p.Name == name) return true;
        return false;
    }
}
