using System.Diagnostics;
using StructuredLog.Context;
using StructuredLog.Formatting;

namespace StructuredLog.Events;

/// <summary>
/// The writer thread's materialised copy of one ring slot. Records are pooled by the writer and reused
/// batch after batch; sinks see them through the <see cref="LogEvent"/> view during <c>Emit</c> only.
/// </summary>
internal sealed class EventRecord
{
    public long TimestampTicks;
    public LogLevel Level;
    public string Category = "";
    public MessageTemplate Template = null!;
    public Exception? Exception;
    public ScopeNode? Scope;
    public ActivityTraceId TraceId;
    public ActivitySpanId SpanId;
    public ActivityTraceFlags TraceFlags;
    public int ThreadId;
    public int EventId;
    public string? EventName;
    /// <summary>True when template holes bind properties by name rather than by argument index.</summary>
    public bool BindByName;
    /// <summary>Number of leading <see cref="Properties"/> that are template arguments (the rest are enrichment).</summary>
    public int ArgumentCount;
    public LogProperty[] Properties = new LogProperty[8]; // grows (once per record) for events with more
    public int PropertyCount;
    public int MaxValueChars = int.MaxValue;
    /// <summary>A synthetic record already placed in the batch (rate-limit summary).</summary>
    public bool Placed;

    // Rendering cache: one rendering per distinct formatter, in the batch's arena. The first one (usually the
    // only one) is kept in the record's own fields: a record reused by the same pipeline usually gets the
    // same formatter and arena chunk again, so those references need no store (and no write barrier).
    public FormatArena? Arena;
    public ILogFormatter? RenderedFormatter;
    public byte[]? RenderedBuffer;
    public int RenderedOffset;
    public int RenderedLength;
    /// <summary>Renderings by further formatters (null until an event has a second one).</summary>
    public (ILogFormatter Formatter, byte[] Buffer, int Offset, int Length)[]? MoreRendered;
    public int RenderedCount;

    public bool HasTrace => TraceId != default;

    /// <summary>The next property's place in <see cref="Properties"/> (counted already), for the caller to assign in place.</summary>
    public ref LogProperty AppendProperty()
    {
        if (PropertyCount == Properties.Length) Array.Resize(ref Properties, Properties.Length * 2);
        return ref Properties[PropertyCount++];
    }

    public void AddProperty(in LogProperty property)
    {
        if (PropertyCount == Properties.Length) Array.Resize(ref Properties, Properties.Length * 2);
        Properties[PropertyCount++] = property;
    }

    /// <summary>A copy that shares nothing mutable with this record (used when a stalled sink keeps the original).</summary>
    public EventRecord CloneDetached(FormatArena arena)
    {
        var c = new EventRecord
        {
            TimestampTicks = TimestampTicks, Level = Level, Category = Category, Template = Template, Exception = Exception,
            Scope = Scope, TraceId = TraceId, SpanId = SpanId, TraceFlags = TraceFlags, ThreadId = ThreadId, EventId = EventId,
            EventName = EventName, BindByName = BindByName, ArgumentCount = ArgumentCount, MaxValueChars = MaxValueChars,
            Properties = Properties.AsSpan(0, PropertyCount).ToArray(), PropertyCount = PropertyCount, Arena = arena,
        };
        if (c.Properties.Length == 0) c.Properties = new LogProperty[4];
        return c;
    }

    /// <summary>
    /// <see cref="Clear"/>, and also forgets the pipeline's own objects (category, template, arena, renderings, property
    /// names and formats), so that the record can serve another pipeline (<c>RecordCache</c>). Numbers and flags stay:
    /// the writer's <c>Materialize</c> sets every one of them for each event.
    /// </summary>
    public void Detach()
    {
        Clear();
        Category = "";
        Template = null!;
        Properties.AsSpan().Clear();
        Arena = null;
        RenderedFormatter = null;
        RenderedBuffer = null;
        MoreRendered = null;
    }

    /// <summary>
    /// Drops what the event referenced from the application (exception, scope, event name, the objects and
    /// strings of property values) so that a pooled record keeps none of it alive. The category, template and arena stay:
    /// they belong to the pipeline, and the next event usually has the same ones, which then need no store
    /// (so do the first rendering's formatter and arena chunk).
    /// </summary>
    public void Clear()
    {
        Exception = null;
        Scope = null;
        EventName = null;
        // Only the values' references are the application's: names and formats are the template's strings
        // (nearly always), kept so that the next event of the same template stores none of them again
        // (LogProperty.Overwrite). A value without a reference (a number) leaves its cache line untouched.
        foreach (ref var p in Properties.AsSpan(0, PropertyCount)) LogProperty.DropValueReference(ref p);
        PropertyCount = 0;
        ArgumentCount = 0;
        // The first rendering's formatter and buffer stay (the pipeline's own objects, usually the next event's too).
        for (int i = 1; i < RenderedCount; i++) MoreRendered![i - 1] = default;
        RenderedCount = 0;
        Placed = false;
    }
}
