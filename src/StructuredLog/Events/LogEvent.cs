using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using StructuredLog.Context;
using StructuredLog.Formatting;

namespace StructuredLog.Events;

/// <summary>
/// A read-only view of one event, handed to sinks in <see cref="Sinks.ILogSink.Emit"/>. The view is
/// valid only during that call: the writer reuses the storage for the next batch. A sink that needs
/// the event later copies what it needs (the batching base copies the formatted bytes).
/// </summary>
public readonly struct LogEvent
{
    internal readonly EventRecord Record;

    internal LogEvent(EventRecord record) => Record = record;

    /// <summary>When the event was logged (UTC), captured on the calling thread.</summary>
    public DateTime Timestamp => new(Record.TimestampTicks, DateTimeKind.Utc);

    /// <summary>The level.</summary>
    public LogLevel Level => Record.Level;

    /// <summary>The logger's category.</summary>
    public string Category => Record.Category;

    /// <summary>The event id (0 when none was given).</summary>
    public int EventId => Record.EventId;

    /// <summary>The event name, when one was given (e.g. by <c>[LoggerMessage]</c>).</summary>
    public string? EventName => Record.EventName;

    /// <summary>The message template (for interpolated calls, a template built from the call site).</summary>
    public MessageTemplate Template => Record.Template;

    /// <summary>The exception attached to the event, or null.</summary>
    public Exception? Exception => Record.Exception;

    /// <summary>The W3C trace id of the <see cref="Activity"/> current when the event was logged, or default.</summary>
    public ActivityTraceId TraceId => Record.TraceId;

    /// <summary>The span id of the <see cref="Activity"/> current when the event was logged, or default.</summary>
    public ActivitySpanId SpanId => Record.SpanId;

    /// <summary>The trace flags (sampled) of that activity.</summary>
    public ActivityTraceFlags TraceFlags => Record.TraceFlags;

    /// <summary>True when a trace id was captured.</summary>
    public bool HasTrace => Record.HasTrace;

    /// <summary>The managed thread id of the calling thread.</summary>
    public int ThreadId => Record.ThreadId;

    /// <summary>The innermost scope that was current on the calling flow, or null.</summary>
    public ScopeNode? Scope => Record.Scope;

    /// <summary>The event's properties: template arguments first, then enrichment. No allocation.</summary>
    public ReadOnlySpan<LogProperty> Properties => Record.Properties.AsSpan(0, Record.PropertyCount);

    /// <summary>The pipeline's cap on the characters of one string value (<c>MaxValueLength</c>); formatters cut longer text with a marker.</summary>
    public int MaxValueChars => Record.MaxValueChars;

    /// <summary>
    /// The scope properties as formats write them: innermost scope first, without names that the event
    /// or an inner scope already has. No allocation: <c>foreach (var p in e.ScopeProperties)</c>.
    /// </summary>
    public ScopePropertyEnumerator ScopeProperties => new(this);

    /// <summary>The number of leading <see cref="Properties"/> that came from the call's arguments.</summary>
    public int ArgumentCount => Record.ArgumentCount;

    /// <summary>Finds a property by name (event properties first, then scopes, innermost first).</summary>
    public bool TryGetProperty(string name, out LogValue value)
    {
        foreach (ref readonly var p in Properties)
        {
            if (p.Name == name) { value = p.Value; return true; }
        }
        for (var scope = Record.Scope; scope is not null; scope = scope.Parent)
        {
            foreach (var p in scope.PropertyArray)
            {
                if (p.Name == name) { value = p.Value; return true; }
            }
        }
        value = default;
        return false;
    }

    /// <summary>The property filling <paramref name="hole"/>, if the call supplied it.</summary>
    public bool TryGetHoleValue(TemplateToken hole, out LogProperty property)
    {
        var r = Record;
        if (r.BindByName)
        {
            for (int i = 0; i < r.ArgumentCount; i++)
            {
                if (r.Properties[i].Name == hole.PropertyName) { property = r.Properties[i]; return true; }
            }
        }
        else if ((uint)hole.ArgumentIndex < (uint)r.ArgumentCount)
        {
            property = r.Properties[hole.ArgumentIndex];
            return true;
        }
        property = default;
        return false;
    }

    /// <summary>
    /// Renders the message (template with its holes filled) as UTF-8 into <paramref name="output"/>.
    /// Holes without a value are written as they appear in the template.
    /// </summary>
    public void RenderMessage(IBufferWriter<byte> output) => RenderMessage(output, null);

    /// <summary>Renders the message, taking plain numeric arguments already formatted by <paramref name="memo"/>.</summary>
    internal void RenderMessage(IBufferWriter<byte> output, NumberMemo? memo)
    {
        bool byIndex = !Record.BindByName;
        foreach (var token in Record.Template.TokenArray)
        {
            if (token.LiteralUtf8 is { } literal)
            {
                literal.CopyTo(output.GetSpan(literal.Length));
                output.Advance(literal.Length);
            }
            else if (memo is not null && byIndex && token.Format is null && memo.TryGet(token.ArgumentIndex, out var number))
            {
                number.CopyTo(output.GetSpan(number.Length));
                output.Advance(number.Length);
            }
            else if (TryGetHoleValue(token, out var p))
            {
                if (p.Destructure && p.Value.Kind == LogValueKind.Object) Destructurer.WriteJsonText(output, p.Value.AsObject!);
                else p.Value.WriteUtf8(output, token.Format ?? p.Format, Record.MaxValueChars);
            }
            else
            {
                LogValue.WriteString(output, token.Text);
            }
        }
    }

    /// <summary>Renders the message to a string (allocates; for tests and diagnostics).</summary>
    public string RenderMessage()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RenderMessage(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The event formatted by <paramref name="formatter"/>. Each distinct formatter runs once per event
    /// however many sinks ask; the bytes stay valid until <c>Emit</c> returns. A formatter that throws
    /// yields a minimal JSON line that says so rather than losing the event.
    /// </summary>
    public ReadOnlySpan<byte> GetFormatted(ILogFormatter formatter) => GetFormatted(formatter, null);

    /// <summary>
    /// <see cref="GetFormatted(ILogFormatter)"/>, formatting (when not cached yet) into <paramref name="arena"/>
    /// instead of the record's own arena: the format worker writes into an arena of its own.
    /// </summary>
    /// <remarks>
    /// The first rendering is looked up inline: a batching sink asks for every event's bytes after the writer and the
    /// format worker have rendered them, and a call into the rendering method for that paid its prologue (registers,
    /// a zeroed frame) on every event.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ReadOnlySpan<byte> GetFormatted(ILogFormatter formatter, FormatArena? arena)
    {
        var r = Record;
        if (r.RenderedCount > 0 && ReferenceEquals(r.RenderedFormatter, formatter)) return r.RenderedBuffer.AsSpan(r.RenderedOffset, r.RenderedLength);
        return Render(formatter, arena);
    }

    /// <summary>The rendering of <paramref name="formatter"/> if the event has one (not the first), else formats the event now.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReadOnlySpan<byte> Render(ILogFormatter formatter, FormatArena? arena)
    {
        var r = Record;
        int count = r.RenderedCount;
        if (count > 0)
        {
            if (ReferenceEquals(r.RenderedFormatter, formatter)) return r.RenderedBuffer.AsSpan(r.RenderedOffset, r.RenderedLength);
            for (int i = 0; i < count - 1; i++)
            {
                var (f, buffer, offset, length) = r.MoreRendered![i];
                if (ReferenceEquals(f, formatter)) return buffer.AsSpan(offset, length);
            }
        }
        arena ??= r.Arena ??= new FormatArena();
        // A formatter that asks for another formatter's output of the same event (a wrapper) must not
        // write into the arena under its own event: the nested rendering gets an arena of its own.
        if (arena.InEvent) arena = new FormatArena();
        arena.BeginEvent();
        try
        {
            formatter.Format(this, arena);
        }
        catch (Exception ex)
        {
            arena.AbandonEvent();
            Diagnostics.SelfLog.Write("formatter", $"Formatter {formatter.GetType().Name} threw {ex.GetType().Name}: {ex.Message}");
            FormatterFailure.Write(this, formatter, ex, arena);
        }
        var rendered = arena.EndEvent();
        // A nested call (a wrapper formatter) may have added a rendering meanwhile: read the count again.
        count = r.RenderedCount;
        if (count == 0)
        {
            if (!ReferenceEquals(r.RenderedFormatter, formatter)) r.RenderedFormatter = formatter;
            if (!ReferenceEquals(r.RenderedBuffer, rendered.Buffer)) r.RenderedBuffer = rendered.Buffer;
            r.RenderedOffset = rendered.Offset;
            r.RenderedLength = rendered.Length;
        }
        else
        {
            var more = r.MoreRendered ??= new (ILogFormatter, byte[], int, int)[2];
            if (count - 1 == more.Length) Array.Resize(ref r.MoreRendered, more.Length * 2);
            r.MoreRendered![count - 1] = (formatter, rendered.Buffer, rendered.Offset, rendered.Length);
        }
        r.RenderedCount = count + 1;
        return rendered.Buffer.AsSpan(rendered.Offset, rendered.Length);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Timestamp:O} {Level} {Category}: {RenderMessage()}";
}
