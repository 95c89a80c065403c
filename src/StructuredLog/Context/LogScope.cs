namespace StructuredLog.Context;

/// <summary>
/// An open scope; dispose it (<c>using</c>) to restore the enclosing one. Scopes flow with the async
/// context (<see cref="AsyncLocal{T}"/>), so they follow <c>await</c>.
/// </summary>
public readonly struct LogScope : IDisposable
{
    private readonly ScopeNode? _node;
    private readonly ScopeNode? _previous;

    internal LogScope(ScopeNode node, ScopeNode? previous)
    {
        _node = node;
        _previous = previous;
    }

    /// <summary>Restores the scope that was current when this one was opened.</summary>
    public void Dispose()
    {
        // Only pop if we are still the current scope on this flow; a scope disposed out of order
        // (or twice) must not unwind scopes opened after it.
        if (_node is not null && ReferenceEquals(ScopeNode.CurrentRaw, _node)) ScopeNode.CurrentRaw = _previous;
    }
}
