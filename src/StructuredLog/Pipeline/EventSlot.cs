using System.Diagnostics;
using StructuredLog.Context;

namespace StructuredLog.Pipeline;

/// <summary>Flags describing how a slot's arguments are to be read.</summary>
[Flags]
internal enum SlotFlags : byte
{
    None = 0,
    /// <summary>Arguments are interpolated-string parts (literals and named holes), no template string.</summary>
    Interpolated = 1,
    /// <summary>Arguments carry explicit names that bind template holes by name (MEL state, scopes).</summary>
    NamedArguments = 2,
}

/// <summary>
/// One cell of the ring buffer: everything the calling thread captures for one event. The writer
/// copies it out and releases the cell, so cells are reused without allocation.
/// </summary>
internal struct EventSlot
{
    public const int InlineArguments = 12;

    /// <summary>Vyukov sequence: equals the position when free for that lap, position + 1 when published.</summary>
    public long Sequence;
    /// <summary><see cref="Stopwatch.GetTimestamp"/> on the calling thread; the writer converts it to UTC (<see cref="TimestampClock"/>).</summary>
    public long Timestamp;
    public Logger? Logger;
    public string? Template;
    public Exception? Exception;
    public ScopeNode? Scope;
    public ActivityTraceId TraceId;
    public ActivitySpanId SpanId;
    public ActivityTraceFlags TraceFlags;
    public int ThreadId;
    public int EventId;
    public string? EventName;
    public LogLevel Level;
    public SlotFlags Flags;
    public int ArgumentCount;
    public SlotArgument[]? Overflow;
    public SlotArguments Arguments;
}
