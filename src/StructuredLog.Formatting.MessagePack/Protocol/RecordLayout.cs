namespace StructuredLog.Formatting.MessagePack.Protocol;

/// <summary>
/// The wire layout. A file (or stream) is a sequence of top-level MessagePack arrays whose first element
/// says what they are:
/// <list type="bullet">
/// <item><c>[2, "StructuredLog.MessagePack", 1]</c> — file header (format name, version);</item>
/// <item><c>[0, id:uint32, text:str]</c> — symbol definition: from here on <c>id</c> means <c>text</c>
/// (templates, categories, event and property names); a later definition of the same id replaces it;</item>
/// <item><c>[1, timestamp:ext-1, level, category, template, message|nil, exception|nil, traceId:bin16|nil,
/// spanId:bin8|nil, traceFlags, eventId, eventName|nil, properties:map]</c> — an event. Symbol fields are an
/// id or, for symbols past the table limit, the text itself. <c>message</c> is nil when the rendered
/// message equals the template text, <c>true</c> when the reader renders it from the template and the
/// values (every hole filled, without format or destructuring, by a number, bool, text, GUID, DateTime
/// or null: the round trip is exact), else the rendered text.</item>
/// </list>
/// Property values: nil, bool, int, float32, float64, str, or an extension: 1 DateTime (int64
/// <c>ToBinary</c>), 2 DateTimeOffset (int64 UTC ticks + int16 offset minutes), 3 TimeSpan (int64 ticks),
/// 4 Guid (16 bytes), 5 decimal (16 bytes, <c>GetBits</c>), 6 JSON text of a destructured object.
/// Enums, chars and other objects are their text.
/// </summary>
internal static class RecordLayout
{
    public const int SymbolKind = 0;
    public const int EventKind = 1;
    public const int HeaderKind = 2;
    public const int EventFields = 13;
    public const string FormatName = "StructuredLog.MessagePack";
    public const int Version = 1;

    public const sbyte DateTimeExt = 1;
    public const sbyte DateTimeOffsetExt = 2;
    public const sbyte TimeSpanExt = 3;
    public const sbyte GuidExt = 4;
    public const sbyte DecimalExt = 5;
    public const sbyte RawJsonExt = 6;
}
