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
    /// <summary>
    /// With <see cref="Interpolated"/>: an interpolated call that matched its call site's shape.
    /// <see cref="EventSlot.Overflow"/> is the shape's parts (literals, names and formats, shared and
    /// never returned to a pool) and the hole values are inline in <see cref="EventSlot.Values"/>.
    /// </summary>
    Shaped = 4,

    /// <summary>Named arguments whose values are inline and whose names are <see cref="EventSlot.Names"/> (scope pairs, if any, in the parts).</summary>
    InlineNames = 8,
}

/// <summary>
/// One cell of the ring buffer: everything the calling thread captures for one event. The writer
/// copies it out and releases the cell, so cells are reused without allocation.
/// </summary>
/// <remarks>
/// Kept small (about 300 bytes) because the calling thread's cost grows with what it stores (each
/// 64-byte line written costs ~4–5 ns on the test machine, with or without the writer draining; see the
/// benchmarks' <c>floor</c> driver): a message-template call stores its values inline
/// (<see cref="Values"/>, values only: the names come from the template). Calls that need a name or a
/// format per argument (interpolated strings, named properties) write <see cref="SlotArgument"/>s into
/// the ring's parts array beside the cells (<see cref="RingBuffer.Parts"/>, up to
/// <see cref="RingBuffer.PartsPerCell"/>), so that template calls never touch that memory; more parts
/// than that, or more than <see cref="InlineArguments"/> positional values, go to <see cref="Overflow"/>,
/// a pooled array that the writer returns to the pool. <see cref="Values"/> is used only when the flags
/// are <see cref="SlotFlags.None"/> and <see cref="Overflow"/> is null.
/// </remarks>
internal struct EventSlot
{
    /// <summary>Values stored inline: as many as the widest generated template overload takes.</summary>
    public const int InlineArguments = 6;

    /// <summary>Vyukov sequence: equals the position when free for that lap, position + 1 when published.</summary>
    public long Sequence;
    /// <summary><see cref="Stopwatch.GetTimestamp"/> on the calling thread (or <see cref="CoarseClock.Now"/>, in the same units); the writer converts it to UTC (<see cref="TimestampClock"/>).</summary>
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
    /// <summary>Arguments that fit neither inline nor in the ring's parts array (pooled); null otherwise.</summary>
    public SlotArgument[]? Overflow;

    /// <summary>
    /// The names of the inline values of an <see cref="SlotFlags.InlineNames"/> call (a call site's own array, kept after
    /// the event like <see cref="Template"/>: the next call in the cell usually brings the same one).
    /// </summary>
    public string[]? Names;
    /// <summary>Positional values of a message-template call (flags <see cref="SlotFlags.None"/>) when <see cref="Overflow"/> is null.</summary>
    public SlotValues Values;
}
