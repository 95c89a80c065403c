using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// Gathers the scopes of an <c>IExternalScopeProvider</c> (outermost first) for an event: a scope whose state is a
/// list of key/value pairs (values of any type, or strings), a single pair, or a two-element tuple whose first element is
/// a string (<c>BeginScope(("OrderId", 42))</c>) adds its pairs as they are (the writer thread converts their values and lets an inner
/// scope's value win over an outer one's and the event's own properties win over both); any other scope state adds
/// its text to the <c>Scope</c> property (<c>outer =&gt; inner</c>), as MEL's console logger shows it.
/// </summary>
internal static class ScopeCapture
{
    /// <summary>Name of the property that holds the text of property-less scopes.</summary>
    public const string ScopeProperty = "Scope";

    public static readonly Action<object?, PropertyBuffer> Add = AddScope;

    private static void AddScope(object? scope, PropertyBuffer buffer)
    {
        bool any = false;
        string? template = null;
        switch (scope)
        {
            case null:
                return;
            case string text:
                buffer.AddScopeMessage(text);
                return;
            // Read by index or through a struct enumerator: enumerating through the interface would allocate an
            // enumerator per scope and event (MEL's own scope states, FormattedLogValues and ASP.NET Core's
            // hosting and activity scopes, are lists; a Dictionary's enumerator is a struct). The two collection
            // classes are tested first: a class test is cheaper than a test for a generic interface.
            case List<KeyValuePair<string, object?>> list:
                foreach (ref readonly var pair in CollectionsMarshal.AsSpan(list)) AddPair(pair, buffer, ref any, ref template);
                break;
            case Dictionary<string, object?> dictionary:
                foreach (var pair in dictionary) AddPair(pair, buffer, ref any, ref template);
                break;
            case IReadOnlyList<KeyValuePair<string, object?>> list:
                for (int i = 0; i < list.Count; i++) AddPair(list[i], buffer, ref any, ref template);
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var pair in pairs) AddPair(pair, buffer, ref any, ref template);
                break;
            // Shapes other providers read as properties too: string dictionaries (request headers, tags), a single pair,
            // and a tuple of a name and a value (BeginScope(("OrderId", 42))).
            case Dictionary<string, string?> dictionary:
                foreach (var pair in dictionary) AddPair(new(pair.Key, pair.Value), buffer, ref any, ref template);
                break;
            case IEnumerable<KeyValuePair<string, string?>> pairs:
                foreach (var pair in pairs) AddPair(new(pair.Key, pair.Value), buffer, ref any, ref template);
                break;
            case KeyValuePair<string, object?> pair:
                AddPair(pair, buffer, ref any, ref template);
                break;
            case KeyValuePair<string, string?> pair:
                AddPair(new(pair.Key, pair.Value), buffer, ref any, ref template);
                break;
            case ITuple { Length: 2 } tuple when tuple[0] is string name:
                AddPair(new(name, tuple[1]), buffer, ref any, ref template);
                break;
            default:
                string? s;
                try { s = scope.ToString(); }
                catch (Exception ex) { s = "<ToString threw " + ex.GetType().Name + ">"; }
                if (s is not null) buffer.AddScopeMessage(s);
                return;
        }
        if (!any && template is not null) buffer.AddScopeMessage(template);
    }

    private static void AddPair(in KeyValuePair<string, object?> pair, PropertyBuffer buffer, ref bool any, ref string? template)
    {
        if (pair.Key is null) return;
        if (pair.Key == StateCapture.OriginalFormat)
        {
            template = pair.Value as string;
            return;
        }
        any = true;
        // @Name and $Name lose their prefix (cached, no string per event). The value is converted, and a name that
        // the event or an inner scope also has is resolved, on the writer thread (Logger.Write with scope properties).
        buffer.AddScopePair(StateCapture.PropertyName(pair.Key).Name, pair.Value);
    }
}
