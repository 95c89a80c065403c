using StructuredLog.Events;

namespace StructuredLog.Context;

/// <summary>
/// One level of the ambient scope stack. Nodes are immutable, so an event can keep a reference to the
/// node that was current on the calling thread and read it later on the writer thread.
/// </summary>
public sealed class ScopeNode
{
    private static readonly AsyncLocal<ScopeNode?> s_current = new();
    private static volatile bool s_used;

    internal ScopeNode(ScopeNode? parent, LogProperty[] properties, string? message)
    {
        Parent = parent;
        Properties = properties;
        PropertyArray = properties;
        Message = message;
    }

    /// <summary>The enclosing scope, or null.</summary>
    public ScopeNode? Parent { get; }

    /// <summary>The properties this scope adds.</summary>
    public IReadOnlyList<LogProperty> Properties { get; }

    /// <summary><see cref="Properties"/> as an array: formatters iterate it for every event, without an enumerator allocation.</summary>
    internal readonly LogProperty[] PropertyArray;

    /// <summary>A scope without properties carries a plain message instead (e.g. MEL's <c>BeginScope("text")</c>).</summary>
    public string? Message { get; }

    /// <summary>
    /// The scope current on this async flow. Until the first scope is ever opened this is a read of a
    /// static field only: scopes cost nothing when unused.
    /// </summary>
    public static ScopeNode? Current => s_used ? s_current.Value : null;

    internal static ScopeNode? CurrentRaw { get => s_current.Value; set => s_current.Value = value; }

    internal static LogScope Push(LogProperty[] properties, string? message)
    {
        s_used = true;
        var previous = s_current.Value;
        var node = new ScopeNode(previous, properties, message);
        s_current.Value = node;
        return new LogScope(node, previous);
    }
}
