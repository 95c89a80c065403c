using StructuredLog.Events;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// Turns the scopes of an <c>IExternalScopeProvider</c> (outermost first) into event properties: a scope
/// whose state is a list of key/value pairs adds its pairs (an inner scope's value wins over an outer
/// one's; the event's own properties always win); any other scope state adds its text to the
/// <c>Scope</c> property (<c>outer =&gt; inner</c>), as MEL's console logger shows it.
/// </summary>
internal static class ScopeCapture
{
    /// <summary>Name of the property that holds the text of property-less scopes.</summary>
    public const string ScopeProperty = "Scope";

    public static readonly Action<object?, PropertyBuffer> Add = AddScope;

    private static void AddScope(object? scope, PropertyBuffer buffer)
    {
        switch (scope)
        {
            case null:
                return;
            case string text:
                buffer.AddScopeMessage(text);
                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                bool any = false;
                string? template = null;
                foreach (var pair in pairs)
                {
                    if (pair.Key is null) continue;
                    if (pair.Key == StateCapture.OriginalFormat)
                    {
                        template = pair.Value as string;
                        continue;
                    }
                    any = true;
                    string name = pair.Key.Length > 1 && (pair.Key[0] == '@' || pair.Key[0] == '$') ? pair.Key.Substring(1) : pair.Key;
                    var property = new LogProperty(name, LogValue.FromObject(pair.Value));
                    if (buffer.IndexOf(name, 0) is var existing and >= 0)
                    {
                        // The event's own properties win; among scopes the innermost (added last) wins.
                        if (existing >= buffer.StateCount) buffer.Replace(existing, property);
                    }
                    else
                    {
                        buffer.Add(property);
                    }
                }
                if (!any && template is not null) buffer.AddScopeMessage(template);
                return;
            default:
                string? s;
                try { s = scope.ToString(); }
                catch (Exception ex) { s = "<ToString threw " + ex.GetType().Name + ">"; }
                if (s is not null) buffer.AddScopeMessage(s);
                return;
        }
    }
}
