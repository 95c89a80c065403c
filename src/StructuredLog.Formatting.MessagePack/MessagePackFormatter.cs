using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using MessagePack;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Formatting.MessagePack.Protocol;

namespace StructuredLog.Formatting.MessagePack;

/// <summary>
/// A compact binary log format on MessagePack: the timestamp as the MessagePack timestamp extension,
/// typed property values, and templates, categories and property names as numbered symbols. Each event's
/// bytes stand alone (they carry the definitions of the symbols they use), so network sinks can send
/// them as they are; in a file (<see cref="ILogFileFormat"/>) each definition is written once per file.
/// Read files back with <see cref="MessagePackLogReader"/> or the <c>slog</c> tool.
/// </summary>
public sealed class MessagePackFormatter : ILogFormatter, ILogFileFormat
{
    private readonly ConcurrentDictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MessageTemplate, Symbol> _templates = new(ReferenceEqualityComparer.Instance);
    private int _nextId;

    private const int MaxSymbolChars = 1024; // longer text is written inline (and cut like the JSON formatter cuts it)

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_symbols;
    [ThreadStatic] private static List<Symbol>? t_used;
    [ThreadStatic] private static byte[]? t_bytes;

    /// <summary>The shared default instance.</summary>
    public static MessagePackFormatter Default { get; } = new();

    /// <summary>Creates a formatter.</summary>
    /// <param name="maxSymbols">Distinct strings numbered at most; past it they are written inline (bounds memory when names are unbounded).</param>
    public MessagePackFormatter(int maxSymbols = 65_536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSymbols, 0);
        MaxSymbols = maxSymbols;
    }

    private const int MaxNameChars = 1024;

    /// <summary>Distinct strings numbered at most.</summary>
    public int MaxSymbols { get; }

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var used = t_used ??= new List<Symbol>(8);
        used.Clear();
        var body = t_scratch ??= new ArrayBufferWriter<byte>(512);
        body.ResetWrittenCount();
        var w = new MessagePackWriter(body);
        w.WriteArrayHeader(RecordLayout.EventFields);
        w.Write(RecordLayout.EventKind);
        w.Write(e.Timestamp);
        w.Write((int)e.Level);
        WriteSymbol(ref w, e.Category, used, int.MaxValue);
        var template = TemplateSymbol(e.Template);
        WriteSymbolRef(ref w, template, e.Template.Text, used);
        WriteMessage(ref w, e);
        if (e.Exception is { } ex) WriteText(ref w, ExceptionText(ex), int.MaxValue); else w.WriteNil();
        if (e.HasTrace)
        {
            Span<byte> id = t_bytes ??= new byte[16];
            e.TraceId.CopyTo(id);
            w.Write(id);
            e.SpanId.CopyTo(id[..8]); // ActivitySpanId.CopyTo fills the whole destination: give it exactly 8 bytes
            w.Write(id[..8]);
        }
        else
        {
            w.WriteNil();
            w.WriteNil();
        }
        w.Write((int)e.TraceFlags);
        w.Write(e.EventId);
        if (e.EventName is { } en) WriteSymbol(ref w, en, used, int.MaxValue); else w.WriteNil();
        WriteProperties(ref w, e, used);
        w.Flush();

        // Definitions first (each the cached bytes of one symbol), then the event.
        foreach (var s in used)
        {
            s.Definition.CopyTo(output.GetSpan(s.Definition.Length));
            output.Advance(s.Definition.Length);
        }
        var span = output.GetSpan(body.WrittenCount);
        body.WrittenSpan.CopyTo(span);
        output.Advance(body.WrittenCount);
        if (body.Capacity > 1 << 20) t_scratch = null;
    }

    private static void WriteMessage(ref MessagePackWriter w, in LogEvent e)
    {
        // Most messages can be rendered again on read, byte for byte, from the template and the typed
        // values: then only a marker is stored, which saves rendering (and the bytes) on the writer.
        if (CanRenderOnRead(e))
        {
            w.Write(true);
            return;
        }
        var symbols = t_symbols ??= new ArrayBufferWriter<byte>(256);
        symbols.ResetWrittenCount();
        e.RenderMessage(symbols);
        if (symbols.WrittenSpan.SequenceEqual(e.Template.TextUtf8.Span)) w.WriteNil();
        else w.WriteString(symbols.WrittenSpan);
        if (symbols.Capacity > 1 << 20) t_symbols = null;
    }

    /// <summary>
    /// True when every hole is filled by an event property whose stored value renders exactly as it did
    /// here: no format, no destructuring, and a type that survives the round trip (numbers, bool, text,
    /// GUID, DateTime, null). Otherwise the rendered message is stored.
    /// </summary>
    private static bool CanRenderOnRead(in LogEvent e)
    {
        foreach (var token in e.Template.Tokens)
        {
            if (!token.IsHole) continue;
            // Names are stored cut to MaxNameChars: a longer one could not be found again by the reader.
            if (token.PropertyName!.Length > MaxNameChars || !e.TryGetHoleValue(token, out var p) || p.Destructure || (token.Format ?? p.Format) is not null) return false;
            switch (p.Value.Kind)
            {
                case LogValueKind.Null:
                case LogValueKind.Boolean:
                case >= LogValueKind.Byte and <= LogValueKind.Decimal:
                case LogValueKind.String:
                case LogValueKind.Guid:
                case LogValueKind.DateTime:
                    continue;
                default:
                    return false;
            }
        }
        return true;
    }

    private void WriteProperties(ref MessagePackWriter w, in LogEvent e, List<Symbol> used)
    {
        var props = e.Properties;
        int count = props.Length;
        foreach (var _ in e.ScopeProperties) count++;
        w.WriteMapHeader(count);
        int maxChars = e.MaxValueChars;
        foreach (ref readonly var p in props)
        {
            WriteSymbol(ref w, p.Name, used, MaxNameChars);
            if (p.Destructure && p.Value.Kind == LogValueKind.Object) WriteDestructured(ref w, p.Value.AsObject);
            else WriteValue(ref w, p.Value, maxChars);
        }
        foreach (var p in e.ScopeProperties)
        {
            WriteSymbol(ref w, p.Name, used, MaxNameChars);
            WriteValue(ref w, p.Value, maxChars);
        }
    }

    private static void WriteValue(ref MessagePackWriter w, in LogValue v, int maxChars)
    {
        Span<byte> b = t_bytes ??= new byte[16];
        // Typed values through LogValue's non-boxing accessors.
        if (v.IsNull) { w.WriteNil(); return; }
        if (v.TryGetBoolean(out bool flag)) { w.Write(flag); return; }
        if (v.TryGetInt64(out long signed)) { w.Write(signed); return; }
        if (v.TryGetUInt64(out ulong unsigned)) { w.Write(unsigned); return; }
        if (v.TryGetDouble(out double real))
        {
            if (v.Kind == LogValueKind.Single) w.Write((float)real);
            else w.Write(real);
            return;
        }
        if (v.TryGetDecimal(out decimal money))
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(money, bits);
            for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(b[(i * 4)..], bits[i]);
            WriteExt(ref w, RecordLayout.DecimalExt, b);
            return;
        }
        if (v.TryGetDateTime(out var when))
        {
            BinaryPrimitives.WriteInt64LittleEndian(b, when.ToBinary());
            WriteExt(ref w, RecordLayout.DateTimeExt, b[..8]);
            return;
        }
        if (v.TryGetDateTimeOffset(out var at))
        {
            BinaryPrimitives.WriteInt64LittleEndian(b, at.UtcTicks);
            BinaryPrimitives.WriteInt16LittleEndian(b[8..], (short)at.TotalOffsetMinutes);
            WriteExt(ref w, RecordLayout.DateTimeOffsetExt, b[..10]);
            return;
        }
        if (v.TryGetTimeSpan(out var span))
        {
            BinaryPrimitives.WriteInt64LittleEndian(b, span.Ticks);
            WriteExt(ref w, RecordLayout.TimeSpanExt, b[..8]);
            return;
        }
        if (v.TryGetGuid(out var guid))
        {
            guid.TryWriteBytes(b);
            WriteExt(ref w, RecordLayout.GuidExt, b);
            return;
        }
        // Strings, enums, chars, other objects: their text, as the JSON formatter writes it.
        var scratch = t_symbols ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        v.WriteUtf8(scratch, default, maxChars);
        w.WriteString(scratch.WrittenSpan);
    }

    private static void WriteDestructured(ref MessagePackWriter w, object? value)
    {
        var scratch = new ArrayBufferWriter<byte>();
        try
        {
            using (var inner = new Utf8JsonWriter(scratch, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                Destructurer.WriteJson(inner, value);
            }
            WriteExt(ref w, RecordLayout.RawJsonExt, scratch.WrittenSpan);
        }
        catch (Exception ex)
        {
            w.Write("<destructuring failed: " + ex.GetType().Name + ">");
        }
    }

    private static void WriteExt(ref MessagePackWriter w, sbyte type, ReadOnlySpan<byte> data)
    {
        w.WriteExtensionFormatHeader(new ExtensionHeader(type, data.Length));
        w.WriteRaw(data);
    }

    private static void WriteText(ref MessagePackWriter w, string s, int maxChars)
    {
        var scratch = t_symbols ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        LogValue.From(s).WriteUtf8(scratch, default, maxChars);
        w.WriteString(scratch.WrittenSpan);
    }

    internal static string ExceptionText(Exception ex)
    {
        try { return ex.ToString(); }
        catch (Exception inner) { return ex.GetType().FullName + ": <ToString threw " + inner.GetType().Name + ">"; }
    }

    private Symbol? TemplateSymbol(MessageTemplate template)
    {
        if (_templates.TryGetValue(template, out var s)) return s;
        s = Lookup(template.Text);
        if (s is not null && _templates.Count < MaxSymbols) _templates.TryAdd(template, s);
        return s;
    }

    private void WriteSymbol(ref MessagePackWriter w, string text, List<Symbol> used, int maxChars) =>
        WriteSymbolRef(ref w, Lookup(text), text, used, maxChars);

    private static void WriteSymbolRef(ref MessagePackWriter w, Symbol? s, string text, List<Symbol> used, int maxChars = int.MaxValue)
    {
        if (s is null)
        {
            WriteText(ref w, text, maxChars);
            return;
        }
        w.Write(s.Id);
        if (!used.Contains(s)) used.Add(s);
    }

    /// <summary>The symbol for <paramref name="text"/>, numbered on first use; null once the table is full.</summary>
    private Symbol? Lookup(string text)
    {
        if (_symbols.TryGetValue(text, out var s)) return s;
        if (_symbols.Count >= MaxSymbols || text.Length > MaxSymbolChars) return null;
        return _symbols.GetOrAdd(text, t =>
        {
            int id = Interlocked.Increment(ref _nextId);
            var buffer = new ArrayBufferWriter<byte>(t.Length + 16);
            var w = new MessagePackWriter(buffer);
            w.WriteArrayHeader(3);
            w.Write(RecordLayout.SymbolKind);
            w.WriteUInt32((uint)id); // fixed width: the file encoder reads the id without a MessagePack reader
            var text = new ArrayBufferWriter<byte>();
            LogValue.From(t).WriteUtf8(text);
            w.WriteString(text.WrittenSpan);
            w.Flush();
            return new Symbol(id, buffer.WrittenSpan.ToArray());
        });
    }

    /// <inheritdoc />
    public ILogFileEncoder StartFile() => new MessagePackFileEncoder();

    /// <inheritdoc />
    public long MeasureIntactLength(Stream file) => MessagePackLogReader.MeasureIntactLength(file);

    internal sealed class Symbol(int id, byte[] definition)
    {
        public int Id { get; } = id;
        public byte[] Definition { get; } = definition;
    }
}
