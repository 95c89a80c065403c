using StructuredLog.Pipeline;

namespace StructuredLog;

/// <summary>
/// The scope properties of another framework (Microsoft.Extensions.Logging's external scopes, for instance) captured
/// once, outermost first, to be passed with every event logged inside the same scopes:
/// <see cref="Logger.WriteInScopes"/>
/// then hands the ring cell one reference instead of copying each pair. The snapshot never changes after it is made, so
/// one instance may go with any number of events, from any thread. The pairs follow the rules of the span overloads
/// (the values are converted on the writer thread; an event property wins over a scope property of the same name; a
/// later pair replaces an earlier one of the same name; a null key is ignored).
/// </summary>
public sealed class ScopePropertySnapshot
{
    /// <summary>Captures <paramref name="properties"/> (the keys and the value references, not what the values hold).</summary>
    public ScopePropertySnapshot(ReadOnlySpan<KeyValuePair<string, object?>> properties)
    {
        Parts = new SlotArgument[properties.Length];
        for (int i = 0; i < properties.Length; i++) Logger.StoreScopePart(ref Parts[i], properties[i].Key, properties[i].Value);
    }

    /// <summary>The number of pairs.</summary>
    public int Count => Parts.Length;

    /// <summary>Pair <paramref name="index"/> as captured.</summary>
    public KeyValuePair<string, object?> this[int index] => new(Parts[index].Name!, Parts[index].Value.Ref);

    /// <summary>The pairs as the ring's parts (shared by every cell that refers to this snapshot; never written after the constructor).</summary>
    internal readonly SlotArgument[] Parts;
}
