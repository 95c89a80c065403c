using System.Diagnostics;
using System.Runtime.CompilerServices;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Pipeline;

namespace StructuredLog;

/// <summary>
/// Logs events for one category. Obtain it from <see cref="LogPipeline.GetLogger(string)"/>; it is
/// thread-safe and cheap to keep in a static field. A call first checks the level (one field read),
/// then copies its typed arguments into a ring-buffer slot; formatting happens later on the pipeline's
/// writer thread.
/// </summary>
public sealed partial class Logger
{
    private readonly LogPipeline _pipeline;
    private readonly RingBuffer _ring;
    private readonly LaneSet? _lanes;
    private readonly bool _coarseClock;
    private LogLevel _minimumLevel;

    internal Logger(LogPipeline pipeline, string category, LogLevel minimumLevel)
    {
        _pipeline = pipeline;
        _ring = pipeline.Ring;
        _lanes = pipeline.Lanes;
        _coarseClock = pipeline.TimestampPrecision == TimestampPrecision.Coarse;
        Category = category;
        _minimumLevel = minimumLevel;
    }

    /// <summary>The category (usually a type or component name) written with every event.</summary>
    public string Category { get; }

    /// <summary>The pipeline this logger writes to.</summary>
    public LogPipeline Pipeline => _pipeline;

    /// <summary>The effective minimum level for this category.</summary>
    public LogLevel MinimumLevel => _minimumLevel;

    internal void SetMinimumLevel(LogLevel level) => Volatile.Write(ref Unsafe.As<LogLevel, byte>(ref _minimumLevel), (byte)level);

    /// <summary>True when an event of <paramref name="level"/> would be written: a single field read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsEnabled(LogLevel level) => level >= _minimumLevel;

    /// <summary>
    /// Opens a scope whose properties are attached to every event logged inside it (on this async flow).
    /// </summary>
    public LogScope BeginScope<T>(string name, T value) =>
        ScopeNode.Push([_pipeline.Redact(new LogProperty(name, LogValue.From(value)))], null);

    /// <summary>Opens a scope with two properties.</summary>
    public LogScope BeginScope<T0, T1>(string name0, T0 value0, string name1, T1 value1) =>
        ScopeNode.Push([_pipeline.Redact(new LogProperty(name0, LogValue.From(value0))), _pipeline.Redact(new LogProperty(name1, LogValue.From(value1)))], null);

    /// <summary>Opens a scope with any number of properties.</summary>
    public LogScope BeginScope(params ReadOnlySpan<LogProperty> properties)
    {
        var copy = properties.ToArray();
        for (int i = 0; i < copy.Length; i++) copy[i] = _pipeline.Redact(copy[i]);
        return ScopeNode.Push(copy, null);
    }

    /// <summary>Opens a scope described by a message template, e.g. <c>BeginScope("Order {OrderId}", id)</c>: the holes become scope properties.</summary>
    public LogScope BeginScope(string messageTemplate, params object?[] args)
    {
        var template = MessageTemplate.Parse(messageTemplate);
        var props = new LogProperty[args.Length];
        for (int i = 0; i < args.Length; i++)
            props[i] = _pipeline.Redact(new LogProperty(template.GetPropertyName(i), LogValue.FromObject(args[i])));
        return ScopeNode.Push(props, args.Length == 0 ? messageTemplate : null);
    }

    /// <summary>
    /// Writes an event whose properties carry explicit names (integrations such as the
    /// Microsoft.Extensions.Logging provider use this). Holes of <paramref name="messageTemplate"/> bind
    /// properties by name.
    /// </summary>
    public void Write(LogLevel level, Exception? exception, string messageTemplate, ReadOnlySpan<LogProperty> properties, int eventId = 0, string? eventName = null) =>
        Write(level, exception, messageTemplate, properties, default, eventId, eventName);

    /// <summary>
    /// Writes an event like <see cref="Write(LogLevel, Exception?, string, ReadOnlySpan{LogProperty}, int, string?)"/>
    /// together with the properties of scopes that another framework keeps (Microsoft.Extensions.Logging's external
    /// scopes, for instance), outermost first. The calling thread only copies the pairs; their values are converted on
    /// the writer thread, as <see cref="LogValue.FromObject"/> does (so a mutable object is read there, as any object
    /// value is). A scope property gives way to an event property of the same name, a later scope property replaces an
    /// earlier one of the same name (keeping its place), and a pair whose key is null is ignored. Names are taken as
    /// given (no <c>@</c>/<c>$</c> handling).
    /// </summary>
    public void Write(LogLevel level, Exception? exception, string messageTemplate, ReadOnlySpan<LogProperty> properties,
        ReadOnlySpan<KeyValuePair<string, object?>> scopeProperties, int eventId = 0, string? eventName = null)
    {
        if (!IsEnabled(level)) return;
        int total = properties.Length + scopeProperties.Length;
        ref EventSlot s = ref Begin(level, exception, messageTemplate, total, out long pos, out RingBuffer ring);
        if (Unsafe.IsNullRef(ref s)) return;
        s.Flags = SlotFlags.NamedArguments;
        SetEvent(ring, ref s, pos, eventId, eventName);
        Span<SlotArgument> args = ClaimParts(ring, ref s, pos, total);
        for (int i = 0; i < properties.Length; i++)
        {
            ref SlotArgument a = ref args[i];
            ref readonly LogProperty p = ref properties[i];
            a.Value = p.Value;
            // The ring keeps a part's name and format after its event (Release drops only the value): a call site
            // that comes back to the same cell stores neither again, and pays no write barrier for them.
            if (!ReferenceEquals(a.Name, p.Name)) a.Name = p.Name;
            if (!ReferenceEquals(a.Format, p.Format)) a.Format = p.Format;
        }
        WriteScopeParts(args[properties.Length..], scopeProperties);
        Publish(ref s, pos);
    }

    /// <summary>
    /// Room for <paramref name="count"/> arguments of the cell at <paramref name="position"/>: the ring's parts beside it,
    /// or the cell's overflow array (<see cref="RingBuffer.Spill"/>) when they do not fit.
    /// </summary>
    private static Span<SlotArgument> ClaimParts(RingBuffer ring, ref EventSlot s, long position, int count)
    {
        s.Overflow = count > RingBuffer.PartsPerCell ? ring.Spill(position, count) : null;
        return s.Overflow is { } overflow ? overflow.AsSpan(0, count) : ring.Parts(position)[..count];
    }

    /// <summary>Scope properties as captured: no type test, no name comparison here (the writer converts and resolves names).</summary>
    private static void WriteScopeParts(Span<SlotArgument> args, ReadOnlySpan<KeyValuePair<string, object?>> scopeProperties)
    {
        for (int i = 0; i < scopeProperties.Length; i++) StoreScopePart(ref args[i], scopeProperties[i].Key, scopeProperties[i].Value);
    }

    /// <summary>
    /// One scope pair as a part: the value as captured (converted on the writer thread), the name and the scope marker
    /// stored only when they differ from what the part holds (the ring's parts keep them from the cell's previous call).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreScopePart(ref SlotArgument a, string? name, object? value)
    {
        a.Value = new LogValue(LogValueKind.Object, 0, 0, value);
        if (!ReferenceEquals(a.Name, name)) a.Name = name;
        if (!ReferenceEquals(a.Format, SlotArgument.ScopeMarker)) a.Format = SlotArgument.ScopeMarker;
    }

    /// <summary>
    /// Writes an event whose property values are typed and whose names come as one array, as an integration that
    /// describes a call site once keeps them (the Microsoft.Extensions.Logging provider does for <c>[LoggerMessage]</c>
    /// methods): <paramref name="names"/>[i] names <paramref name="values"/>[i], and holes of
    /// <paramref name="messageTemplate"/> bind them by name. The array is kept by reference until the writer thread has
    /// read the event, so it must not change afterwards (a call site's own array). With as many names as values and at
    /// most six values, they are stored in the ring cell itself, beside its other fields (the cheapest form for the
    /// calling thread); otherwise as with the <see cref="LogProperty"/> overload (a missing name takes the template's
    /// hole at that position). <paramref name="scopeProperties"/> as in
    /// <see cref="Write(LogLevel, Exception?, string, ReadOnlySpan{LogProperty}, ReadOnlySpan{KeyValuePair{string, object?}}, int, string?)"/>.
    /// </summary>
    public void Write(LogLevel level, Exception? exception, string messageTemplate, string[] names, ReadOnlySpan<LogValue> values,
        ReadOnlySpan<KeyValuePair<string, object?>> scopeProperties, int eventId = 0, string? eventName = null) =>
        WriteNamedValues(level, exception, messageTemplate, names, values, scopeProperties, null, eventId, eventName);

    /// <summary>
    /// Writes an event as <see cref="Write(LogLevel, Exception?, string, string[], ReadOnlySpan{LogValue}, ReadOnlySpan{KeyValuePair{string, object?}}, int, string?)"/>
    /// does, with the scope properties of a <paramref name="scopes"/> snapshot that the caller keeps while its scopes do
    /// not change. When the values go into the ring cell itself (as many names as values, at most six), the cell takes the
    /// snapshot by reference: no pair is copied. Otherwise the pairs are copied as with the span overload.
    /// </summary>
    public void WriteInScopes(LogLevel level, Exception? exception, string messageTemplate, string[] names, ReadOnlySpan<LogValue> values,
        ScopePropertySnapshot scopes, int eventId = 0, string? eventName = null) =>
        WriteNamedValues(level, exception, messageTemplate, names, values, default, scopes is { Count: > 0 } ? scopes : null, eventId, eventName);

    /// <summary>
    /// Both named-values overloads: the scope pairs come either as a span (<paramref name="snapshot"/> null) or as a
    /// snapshot, which a cell with its values inline takes by reference (<see cref="SlotFlags.SharedScopes"/>: the writer
    /// reads its parts as it reads a cell's, and the ring's Release leaves them alone) and any other cell copies.
    /// Inlined into each, so that the span overload's code is what it was.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteNamedValues(LogLevel level, Exception? exception, string messageTemplate, string[]? names, ReadOnlySpan<LogValue> values,
        ReadOnlySpan<KeyValuePair<string, object?>> scopeProperties, ScopePropertySnapshot? snapshot, int eventId, string? eventName)
    {
        if (!IsEnabled(level)) return;
        int n = values.Length;
        int pairs = snapshot?.Count ?? scopeProperties.Length;
        bool inline = names is not null && names.Length == n && n <= EventSlot.InlineArguments;
        int total = n + pairs;
        ref EventSlot s = ref Begin(level, exception, messageTemplate, total, out long pos, out RingBuffer ring);
        if (Unsafe.IsNullRef(ref s)) return;
        SetEvent(ring, ref s, pos, eventId, eventName);
        Span<SlotArgument> args;
        if (inline)
        {
            s.Flags = snapshot is null ? SlotFlags.NamedArguments | SlotFlags.InlineNames : SlotFlags.NamedArguments | SlotFlags.InlineNames | SlotFlags.SharedScopes;
            ref ColdSlot cold = ref ring.Cold(pos);
            if (!ReferenceEquals(cold.Names, names)) cold.Names = names;
            for (int i = 0; i < n; i++) ring.StoreValue(ref s, pos, i, values[i]);
            if (snapshot is not null)
            {
                s.Overflow = snapshot.Parts;
                Publish(ref s, pos);
                return;
            }
            args = ClaimParts(ring, ref s, pos, pairs);
        }
        else
        {
            s.Flags = SlotFlags.NamedArguments;
            args = ClaimParts(ring, ref s, pos, total);
            for (int i = 0; i < n; i++)
            {
                ref SlotArgument a = ref args[i];
                a.Value = values[i];
                string? name = names is not null && i < names.Length ? names[i] : null;
                if (!ReferenceEquals(a.Name, name)) a.Name = name;
                if (a.Format is not null) a.Format = null;
            }
            args = args[n..];
        }
        if (snapshot is null) WriteScopeParts(args, scopeProperties);
        else
        {
            var parts = snapshot.Parts;
            for (int i = 0; i < parts.Length; i++) StoreScopePart(ref args[i], parts[i].Name, parts[i].Value.Ref);
        }
        Publish(ref s, pos);
    }

    /// <summary>
    /// Claims a slot and fills the common fields; returns a null reference when the event is dropped
    /// (full ring under a dropping policy, or the pipeline is shut down): the drop is counted by the pipeline.
    /// </summary>
    /// <remarks>
    /// Only what differs from a released cell is written: <see cref="RingBuffer.Release"/> leaves
    /// Exception, Scope, trace ids, flags, event id and name at their defaults, so a call without an
    /// exception, scope or activity skips those stores (and their GC write barriers); it keeps the logger
    /// and template of the cell's previous call, which are stored again only when they differ.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref EventSlot Begin(LogLevel level, Exception? exception, string? template, int argumentCount, out long position, out RingBuffer ring)
    {
        // One thread-local read for the claim (the ring is biased to one thread: RingBuffer.TryClaim), the thread id and the
        // async flow (ThreadFlow).
        var thread = Thread.CurrentThread;
        // The pipeline's one ring, or with thread lanes the calling thread's own (LaneSet).
        var lanes = _lanes;
        ring = lanes is null ? _ring : lanes.For(thread);
        if (!ring.TryClaim(thread, out position) && !_pipeline.ClaimSlow(ring, out position)) return ref Unsafe.NullRef<EventSlot>();
        ref EventSlot s = ref ring.Cell(position);
        if (lanes is null) s.Timestamp = _coarseClock ? CoarseClock.Now : PreciseClock.Now();
        // Thread lanes are merged by these stamps: the read must not run ahead of the loads before it (PreciseClock.NowOrdered).
        // A lane shared by threads past the lanes' cap stamped the cell when it claimed it, under its lock (RingBuffer.TryClaim).
        else if (!ring.SharedLane) s.Timestamp = PreciseClock.NowOrdered();
        if (!ReferenceEquals(s.Logger, this)) s.Logger = this;
        if (!ReferenceEquals(s.Template, template)) s.Template = template;
        s.Level = level;
        s.ArgumentCount = argumentCount;
        // The scope and the activity are async-locals, null on a thread whose flow holds nothing (ThreadFlow).
        s.ThreadId = thread.ManagedThreadId;
        // The rare fields are in the cell's cold part (see EventSlot): a call without an exception, scope or activity
        // does not touch it.
        if (exception is not null)
        {
            ring.Cold(position).Exception = exception;
            s.HasRare = 1;
        }
        if (ThreadFlow.HasFlow(thread)) CaptureFlow(ring, ref s, position);
        return ref s;
    }

    /// <summary>
    /// The current scope and activity of a call whose thread has an async flow (<see cref="ThreadFlow"/>). Out of line:
    /// the async-local look-ups it makes cost more than the call, and a call without a flow keeps a smaller frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CaptureFlow(RingBuffer ring, ref EventSlot s, long position)
    {
        var scope = ScopeNode.Current;
        if (scope is not null)
        {
            ring.Cold(position).Scope = scope;
            s.HasRare = 1;
        }
        var activity = Activity.Current;
        if (activity is not null)
        {
            ref ColdSlot cold = ref ring.Cold(position);
            cold.TraceId = activity.TraceId;
            cold.SpanId = activity.SpanId;
            cold.TraceFlags = activity.ActivityTraceFlags;
            s.HasRare = 1;
        }
    }

    /// <summary>Stores an event id and name, when there are any (rare fields, in the cold cell: see <see cref="EventSlot.HasRare"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetEvent(RingBuffer ring, ref EventSlot s, long position, int eventId, string? eventName)
    {
        if (eventId == 0 && eventName is null) return;
        ref ColdSlot cold = ref ring.Cold(position);
        cold.EventId = eventId;
        cold.EventName = eventName;
        s.HasRare = 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Publish(ref EventSlot s, long position)
    {
        Volatile.Write(ref s.Sequence, position + 1);
        if (_pipeline.WriterIdle) _pipeline.WakeWriter();
    }

    /// <summary>Publishes an interpolated call captured by a handler (nothing when the level was disabled).</summary>
    /// <remarks>Takes the handler by reference (the public overloads do) but passes on only its buffer, so the handler stays in a register.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteInterpolated(LogLevel level, Exception? exception, ref InterpolatedCapture capture)
    {
        var buffer = capture.Buffer;
        if (buffer is not null) WriteInterpolatedCore(level, exception, buffer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteInterpolatedCore(LogLevel level, Exception? exception, InterpolatedCapture.CaptureBuffer capture)
    {
        if (capture.Expected is { } shape)
        {
            if (capture.MatchedShape)
            {
                WriteShaped(level, exception, capture, shape);
                return;
            }
            capture.Diverge(); // the call ended before its shape did
        }
        // The first call of a site (or one whose key's shape keeps missing) teaches the thread its shape
        // and is then written like the calls that match it.
        if (capture.Learn() is { } learned)
        {
            WriteShaped(level, exception, capture, learned);
            return;
        }
        int n = capture.Count;
        ref EventSlot s = ref Begin(level, exception, null, n, out long pos, out RingBuffer ring);
        if (Unsafe.IsNullRef(ref s))
        {
            InterpolatedCapture.Release(capture);
            return;
        }
        s.Flags = SlotFlags.Interpolated;
        if (n > RingBuffer.PartsPerCell)
        {
            var overflow = ring.Spill(pos, n);
            capture.Captured.CopyTo(overflow);
            s.Overflow = overflow;
        }
        else
        {
            capture.Captured.CopyTo(ring.Parts(pos));
        }
        InterpolatedCapture.Release(capture);
        Publish(ref s, pos);
    }

    /// <summary>
    /// An interpolated call that matched its call site's shape: the shape's parts (constants) travel by
    /// reference in <see cref="EventSlot.Overflow"/>, and the values go inline, as a template call's do.
    /// </summary>
    private void WriteShaped(LogLevel level, Exception? exception, InterpolatedCapture.CaptureBuffer capture, InterpolatedCapture.CaptureShape shape)
    {
        shape.Misses = 0;
        ref EventSlot s = ref Begin(level, exception, null, shape.Parts.Length, out long pos, out RingBuffer ring);
        if (Unsafe.IsNullRef(ref s))
        {
            InterpolatedCapture.Release(capture);
            return;
        }
        s.Flags = SlotFlags.Interpolated | SlotFlags.Shaped;
        s.Overflow = shape.Parts;
        var values = capture.Values;
        for (int i = 0; i < capture.Holes; i++) ring.StoreValue(ref s, pos, i, values[i]);
        InterpolatedCapture.Release(capture);
        Publish(ref s, pos);
    }
}
