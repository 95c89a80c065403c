using System.Diagnostics;
using StructuredLog.Events;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
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
    /// <see cref="EventSlot.Overflow"/> is the shape's parts (literals, names and formats, shared, and
    /// left alone by the ring's release) and the hole values are inline in <see cref="EventSlot.Values"/>.
    /// </summary>
    Shaped = 4,

    /// <summary>Named arguments whose values are inline and whose names are <see cref="ColdSlot.Names"/> (scope pairs, if any, in the parts).</summary>
    InlineNames = 8,

    /// <summary>
    /// With <see cref="InlineNames"/>: the scope pairs are a <see cref="ScopePropertySnapshot"/>'s parts, in
    /// <see cref="EventSlot.Overflow"/> (shared by every cell that refers to the snapshot, and left alone by the ring's release).
    /// </summary>
    SharedScopes = 16,
}

/// <summary>
/// The hot part of one cell of the ring buffer: what every call writes. The writer copies it out and releases the
/// cell, so cells are reused without allocation. The rest of a cell (<see cref="ColdSlot"/>) lives in an array of its
/// own, touched only by calls that need it.
/// </summary>
/// <remarks>
/// <para>
/// Two cache lines, filled from the start, so that a call's stores run through the ring's memory in order. What the
/// calling thread pays depends on that more than on the number of lines it writes (docs/benchmarks-history.md, "Session 22";
/// coarse-clock template calls, medians over alternated processes): the 304-byte cell of earlier versions, written
/// over four or five of its lines, 13–24 ns; a 320-byte cell of which a call wrote only the first two lines, 21–26 ns;
/// the 304-byte cell padded to a 640-byte stride, 43–57 ns; this 128-byte cell, 12–21 ns.
/// </para>
/// <para>
/// The header (bytes 0–55), then up to <see cref="HotValues"/> values of 16 bytes (a reference and one payload word, their
/// kinds in the header), then <see cref="Overflow"/>. A template call with three values writes bytes 0–103. Values past
/// the fourth, the second payload word of the few kinds that have one (<see cref="Guid"/>, <see cref="decimal"/>,
/// <see cref="DateTimeOffset"/>), and what most calls leave at its default (exception, scope, event id and name, trace
/// context, the names of named values) are in the cell's <see cref="ColdSlot"/>.
/// </para>
/// <para>
/// A message-template call stores its values inline (values only: the names come from the template). Calls that need a
/// name or a format per argument (interpolated strings, named properties) write <see cref="SlotArgument"/>s into the
/// ring's parts array beside the cells (<see cref="RingBuffer.Parts"/>, up to <see cref="RingBuffer.PartsPerCell"/>), so
/// that template calls never touch that memory; more parts than that, or more than <see cref="InlineArguments"/>
/// positional values, go to <see cref="Overflow"/>, an array the cell keeps from lap to lap (<see cref="RingBuffer.Spill"/>). Inline values are
/// used only when the flags are <see cref="SlotFlags.None"/> (and then <see cref="Overflow"/> is null), or with
/// <see cref="SlotFlags.Shaped"/> or <see cref="SlotFlags.InlineNames"/>.
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct EventSlot
{
    /// <summary>Values stored inline: as many as the widest generated template overload takes.</summary>
    public const int InlineArguments = 6;

    /// <summary>Inline values kept in the hot cell; the others are in the <see cref="ColdSlot"/>.</summary>
    public const int HotValues = 4;

    /// <summary>Vyukov sequence: equals the position when free for that lap, position + 1 when published.</summary>
    [FieldOffset(0)] public long Sequence;
    /// <summary><see cref="PreciseClock.Now"/> on the calling thread (or <see cref="CoarseClock.Now"/>, in the same units); the writer converts it to UTC (<see cref="TimestampClock"/>).</summary>
    [FieldOffset(8)] public long Timestamp;
    [FieldOffset(16)] public Logger? Logger;
    [FieldOffset(24)] public string? Template;
    [FieldOffset(32)] public int ThreadId;
    [FieldOffset(36)] public int ArgumentCount;
    [FieldOffset(40)] public LogLevel Level;
    [FieldOffset(41)] public SlotFlags Flags;
    /// <summary>Bit i set: the cold cell's <see cref="ColdSlot.Wide"/>[i] holds value i's second payload word (cleared on release).</summary>
    [FieldOffset(42)] public byte WideMask;
    /// <summary>The kinds of the inline values.</summary>
    [FieldOffset(43)] public SlotKinds Kinds;
    /// <summary>
    /// Not zero when the call stored any of the cold cell's rare fields (exception, scope, trace context, event id or name)
    /// or values past <see cref="HotValues"/>: the writer reads them, and releases them, only then.
    /// </summary>
    [FieldOffset(49)] public byte HasRare;
    /// <summary>
    /// The first <see cref="HotValues"/> inline values, by reference and first payload word (see
    /// <see cref="RingBuffer.Value"/>): positional values of a message-template call (flags <see cref="SlotFlags.None"/>), a
    /// shaped interpolated call's hole values, or the named values of an <see cref="SlotFlags.InlineNames"/> call.
    /// </summary>
    [FieldOffset(56)] public SlotValues Values;
    /// <summary>Arguments that fit neither inline nor in the ring's parts array (<see cref="RingBuffer.Spill"/>), a shaped call's parts, or a scope snapshot's (<see cref="SlotFlags.SharedScopes"/>); null otherwise.</summary>
    [FieldOffset(120)] public SlotArgument[]? Overflow;
}

/// <summary>
/// The cold part of a ring cell (<see cref="RingBuffer.Cold"/>): what most calls leave at its default. Read and cleared by
/// the writer only when <see cref="EventSlot.HasRare"/> is set, except <see cref="Names"/> (read for
/// <see cref="SlotFlags.InlineNames"/>, kept) and <see cref="Wide"/> (read by <see cref="EventSlot.WideMask"/>).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 160)]
internal struct ColdSlot
{
    [FieldOffset(0)] public Exception? Exception;
    [FieldOffset(8)] public ScopeNode? Scope;
    [FieldOffset(16)] public string? EventName;

    /// <summary>
    /// The names of the inline values of an <see cref="SlotFlags.InlineNames"/> call (a call site's own array, kept after
    /// the event like <see cref="EventSlot.Template"/>: the next call in the cell usually brings the same one).
    /// </summary>
    [FieldOffset(24)] public string[]? Names;
    // 24 and 16 bytes are kept for the trace and span ids (8 bytes each in .NET 10: their hex strings); a test checks they fit.
    [FieldOffset(32)] public ActivityTraceId TraceId;
    [FieldOffset(56)] public ActivitySpanId SpanId;
    [FieldOffset(72)] public ActivityTraceFlags TraceFlags;
    [FieldOffset(76)] public int EventId;
    /// <summary>Inline values <see cref="EventSlot.HotValues"/> and up.</summary>
    [FieldOffset(80)] public SlotColdValues Values;
    /// <summary>Second payload words of the inline values whose bit is set in <see cref="EventSlot.WideMask"/>.</summary>
    [FieldOffset(112)] public SlotWide Wide;

    /// <summary>Bytes kept for <see cref="TraceId"/> and <see cref="SpanId"/> (see the layout).</summary>
    internal const int TraceIdRoom = 24, SpanIdRoom = 16;
}

/// <summary>An inline value of a ring cell: the reference and the first payload word of a <see cref="LogValue"/>.</summary>
internal struct SlotValue
{
    public object? Ref;
    public ulong Lo;
}

/// <summary>The inline values in a hot cell.</summary>
[InlineArray(EventSlot.HotValues)]
internal struct SlotValues
{
    private SlotValue _element;
}

/// <summary>The inline values in a cold cell.</summary>
[InlineArray(EventSlot.InlineArguments - EventSlot.HotValues)]
internal struct SlotColdValues
{
    private SlotValue _element;
}

/// <summary>The kinds of a slot's inline values.</summary>
[InlineArray(EventSlot.InlineArguments)]
internal struct SlotKinds
{
    private LogValueKind _element;
}

/// <summary>The second payload words of a slot's inline values (see <see cref="EventSlot.WideMask"/>).</summary>
[InlineArray(EventSlot.InlineArguments)]
internal struct SlotWide
{
    private ulong _element;
}
