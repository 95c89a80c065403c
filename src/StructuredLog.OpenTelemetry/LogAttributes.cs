using System.Collections;
using StructuredLog.Events;

namespace StructuredLog.OpenTelemetry;

/// <summary>
/// The state of one forwarded call: the event's properties, then its scope properties (innermost
/// first, names not repeated), <c>event.id</c> when the event has one, then <c>{OriginalFormat}</c> with the message template — the shape
/// Microsoft.Extensions.Logging gives its own events, which the OpenTelemetry logger turns into
/// attributes. Values are copied out of the event, since the event is only valid during <c>Emit</c>.
/// </summary>
internal sealed class LogAttributes : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>The key under which Microsoft.Extensions.Logging carries the message template.</summary>
    public const string OriginalFormat = "{OriginalFormat}";

    /// <summary>The attribute that carries the numeric event id (the name used by StructuredLog's OpenTelemetry JSON).</summary>
    public const string EventIdAttribute = "event.id";

    private readonly KeyValuePair<string, object?>[] _items;

    public LogAttributes(in LogEvent e, bool includeScopes)
    {
        var props = e.Properties;
        var list = new List<KeyValuePair<string, object?>>(props.Length + 4);
        foreach (ref readonly var p in props) list.Add(new(p.Name, ToAttributeValue(p.Value)));
        if (includeScopes)
        {
            for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            {
                foreach (var p in scope.Properties)
                {
                    if (!Contains(list, p.Name)) list.Add(new(p.Name, ToAttributeValue(p.Value)));
                }
            }
        }
        // The OTLP exporter 1.x sends the event name (LogRecord.event_name) but drops the numeric id: keep it as an attribute.
        if (e.EventId != 0 && !Contains(list, EventIdAttribute)) list.Add(new(EventIdAttribute, e.EventId));
        list.Add(new(OriginalFormat, e.Template.Text));
        _items = list.ToArray();
    }

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public int Count => _items.Length;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Contains(List<KeyValuePair<string, object?>> list, string name)
    {
        foreach (var kv in list) if (kv.Key == name) return true;
        return false;
    }

    /// <summary>
    /// Numbers, booleans and strings keep their type (OTLP int, double, bool, string); other values
    /// (dates, GUIDs, enums, objects) become their invariant text, so that no exporter meets a type it
    /// cannot encode.
    /// </summary>
    internal static object? ToAttributeValue(in LogValue value)
    {
        switch (value.Kind)
        {
            case LogValueKind.Null: return null;
            case LogValueKind.Boolean:
            case LogValueKind.String:
            case LogValueKind.Byte:
            case LogValueKind.SByte:
            case LogValueKind.Int16:
            case LogValueKind.UInt16:
            case LogValueKind.Int32:
            case LogValueKind.UInt32:
            case LogValueKind.Int64:
            case LogValueKind.Single:
            case LogValueKind.Double:
                return value.ToObject();
            case LogValueKind.UInt64:
                var u = (ulong)value.ToObject()!;
                return u <= long.MaxValue ? (long)u : u.ToString(System.Globalization.CultureInfo.InvariantCulture);
            case LogValueKind.Decimal:
                return (double)(decimal)value.ToObject()!;
            default:
                return value.ToString();
        }
    }
}
