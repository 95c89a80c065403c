using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    private readonly ConcurrentDictionary<MessageTemplate, TemplateInfo> _templates = new(ReferenceEqualityComparer.Instance);
    private int _nextId;

    private const int MaxSymbolChars = 1024; // longer text is written inline (and cut like the JSON formatter cuts it)

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_symbols;
    [ThreadStatic] private static List<Symbol>? t_used;
    [ThreadStatic] private static byte[]? t_bytes;
    [ThreadStatic] private static Symbol?[]? t_names;
    [ThreadStatic] private static TemplateCacheEntry[]? t_templateCache;
    [ThreadStatic] private static TextCacheEntry[]? t_textCache;

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

    /// <summary>False: every event gathers its definitions symbol by symbol (the general path), for tests that compare the two.</summary>
    internal bool UseDefinitionBlocks { get; init; } = true;

    /// <summary>
    /// True: the symbol and template tables are concurrent dictionaries and the scratch state is per
    /// thread. Each event carries the definitions of the symbols it uses, so the file encoder keeps the
    /// first definition of each whatever thread numbered it.
    /// </summary>
    public bool SupportsConcurrentFormatting => true;

    /// <inheritdoc />
    /// <remarks>
    /// The symbols an event uses are known before its body is written (category, template, event name,
    /// property names), so their definitions go first and the body is written straight after them into
    /// <paramref name="output"/>. The template's own symbols (its text and its property names) are looked
    /// up once per template and kept per thread, as is the category's; only other names are looked up by
    /// content.
    /// </remarks>
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var info = Info(e.Template);
        var props = e.Properties;
        var category = CachedLookup(e.Category);

        // The usual event: its properties are the template's own (by reference), no event name, no scope.
        // Its definitions are always the same bytes for this template and category: copied as one block.
        if (UseDefinitionBlocks && e.EventName is null && e.Scope is null && HasTemplateNames(props, info) && info.DefinitionBlock(category) is { } block)
        {
            block.CopyTo(output.GetSpan(block.Length));
            output.Advance(block.Length);
            var fast = new MessagePackSpanWriter(output);
            WriteBody(ref fast, e, info, category, null, info.NameSymbols, 0);
            return;
        }

        var used = t_used ??= new List<Symbol>(8);
        used.Clear();
        var names = t_names;
        if (names is null || names.Length < props.Length) t_names = names = new Symbol?[Math.Max(16, props.Length * 2)];

        Use(category, used);
        Use(info.TemplateSymbol, used);
        var eventName = e.EventName is { } en ? Lookup(en) : null;
        Use(eventName, used);
        for (int i = 0; i < props.Length; i++)
        {
            string name = props[i].Name;
            names[i] = i < info.Names.Length && ReferenceEquals(name, info.Names[i]) ? info.NameSymbols[i] : Lookup(name);
            Use(names[i], used);
        }
        int n = props.Length;
        foreach (var p in e.ScopeProperties)
        {
            if (n == names.Length)
            {
                Array.Resize(ref names, n * 2);
                t_names = names;
            }
            names[n] = Lookup(p.Name);
            Use(names[n++], used);
        }
        int scopeCount = n - props.Length;

        // Definitions first (each the cached bytes of one symbol), then the event.
        int definitions = 0;
        foreach (var s in used) definitions += s.Definition.Length;
        if (definitions > 0)
        {
            var span = output.GetSpan(definitions);
            foreach (var s in used)
            {
                s.Definition.CopyTo(span);
                span = span[s.Definition.Length..];
            }
            output.Advance(definitions);
        }
        var w = new MessagePackSpanWriter(output);
        WriteBody(ref w, e, info, category, eventName, names, scopeCount);
        Array.Clear(names, 0, n);
    }

    private static bool HasTemplateNames(ReadOnlySpan<LogProperty> props, TemplateInfo info)
    {
        var names = info.Names;
        if (props.Length != names.Length) return false;
        for (int i = 0; i < props.Length; i++)
        {
            if (!ReferenceEquals(props[i].Name, names[i])) return false;
        }
        return true;
    }

    /// <summary>The event record after its definitions: <paramref name="names"/> holds the symbols of the event's properties, then of its <paramref name="scopeCount"/> visible scope properties.</summary>
    private static void WriteBody(ref MessagePackSpanWriter w, in LogEvent e, TemplateInfo info, Symbol? category, Symbol? eventName, Symbol?[] names, int scopeCount)
    {
        var props = e.Properties;
        w.WriteArrayHeader(RecordLayout.EventFields);
        w.Write(RecordLayout.EventKind);
        w.Write(e.Timestamp);
        w.Write((int)e.Level);
        WriteSymbolRef(ref w, category, e.Category, int.MaxValue);
        WriteSymbolRef(ref w, info.TemplateSymbol, e.Template.Text, int.MaxValue);
        WriteMessage(ref w, e, info);
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
        if (e.EventName is { } name2) WriteSymbolRef(ref w, eventName, name2, int.MaxValue); else w.WriteNil();

        w.WriteMapHeader(props.Length + scopeCount);
        int maxChars = e.MaxValueChars;
        for (int i = 0; i < props.Length; i++)
        {
            ref readonly var p = ref props[i];
            WriteSymbolRef(ref w, names[i], p.Name, MaxNameChars);
            if (p.Destructure && p.Value.Kind == LogValueKind.Object) WriteDestructured(ref w, p.Value.AsObject);
            else WriteValue(ref w, p.Value, maxChars);
        }
        if (scopeCount > 0)
        {
            int n = props.Length;
            foreach (var p in e.ScopeProperties)
            {
                WriteSymbolRef(ref w, names[n++], p.Name, MaxNameChars);
                WriteValue(ref w, p.Value, maxChars);
            }
        }
        w.Complete();
    }

    private static void Use(Symbol? s, List<Symbol> used)
    {
        if (s is null) return;
        foreach (var u in used)
        {
            if (ReferenceEquals(u, s)) return;
        }
        used.Add(s);
    }

    private static void WriteMessage(ref MessagePackSpanWriter w, in LogEvent e, TemplateInfo info)
    {
        // Most messages can be rendered again on read, byte for byte, from the template and the typed
        // values: then only a marker is stored, which saves rendering (and the bytes) on the writer.
        if (info.HolesRenderOnRead && CanRenderOnRead(e, info.Holes))
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
    /// GUID, DateTime, null). Otherwise the rendered message is stored. What depends only on the template
    /// (the hole's own format and destructuring, the length of its name) is decided once per template
    /// (<see cref="TemplateInfo.HolesRenderOnRead"/>).
    /// </summary>
    private static bool CanRenderOnRead(in LogEvent e, TemplateToken[] holes)
    {
        foreach (var token in holes)
        {
            if (!e.TryGetHoleValue(token, out var p) || p.Destructure || p.Format is not null) return false;
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

    private static void WriteValue(ref MessagePackSpanWriter w, in LogValue v, int maxChars)
    {
        // The common kinds first, by their tag; the rest through LogValue's non-boxing accessors.
        switch (v.Kind)
        {
            case LogValueKind.String:
                string text = v.AsString!;
                if (text.Length <= maxChars)
                {
                    w.Write(text); // UTF-8 with invalid UTF-16 replaced (U+FFFD), as LogValue.WriteUtf8 writes it
                    return;
                }
                break;
            case LogValueKind.Int32 or LogValueKind.Int64:
                if (v.TryGetInt64(out long whole)) { w.Write(whole); return; }
                break;
            case LogValueKind.Double:
                if (v.TryGetDouble(out double d)) { w.Write(d); return; }
                break;
        }
        Span<byte> b = t_bytes ??= new byte[16];
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

    private static void WriteDestructured(ref MessagePackSpanWriter w, object? value)
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

    private static void WriteExt(ref MessagePackSpanWriter w, sbyte type, ReadOnlySpan<byte> data) => w.WriteExtension(type, data);

    private static void WriteText(ref MessagePackSpanWriter w, string s, int maxChars)
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

    /// <summary>What this formatter keeps per template: its symbol, its property names' symbols, its holes.</summary>
    private TemplateInfo Info(MessageTemplate template)
    {
        var cache = t_templateCache ??= new TemplateCacheEntry[64];
        ref var entry = ref cache[RuntimeHelpers.GetHashCode(template) & 63];
        if (entry.Info is { } hit && ReferenceEquals(entry.Template, template) && ReferenceEquals(hit.Owner, this)) return hit;
        if (!_templates.TryGetValue(template, out var info))
        {
            info = new TemplateInfo(this, template);
            if (_templates.Count < MaxSymbols) info = _templates.GetOrAdd(template, info);
        }
        entry = new TemplateCacheEntry(template, info);
        return info;
    }

    /// <summary><see cref="Lookup"/> through a small per-thread cache keyed by the string's identity (categories are the loggers' own strings).</summary>
    private Symbol? CachedLookup(string text)
    {
        var cache = t_textCache ??= new TextCacheEntry[32];
        ref var entry = ref cache[RuntimeHelpers.GetHashCode(text) & 31];
        if (entry.Symbol is { } hit && ReferenceEquals(entry.Text, text) && ReferenceEquals(entry.Owner, this)) return hit;
        var s = Lookup(text);
        if (s is not null) entry = new TextCacheEntry(this, text, s);
        return s;
    }

    private static void WriteSymbolRef(ref MessagePackSpanWriter w, Symbol? s, string text, int maxChars)
    {
        if (s is null)
        {
            WriteText(ref w, text, maxChars);
            return;
        }
        w.Write(s.Id);
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

    private sealed class TemplateInfo
    {
        public TemplateInfo(MessagePackFormatter owner, MessageTemplate template)
        {
            Owner = owner;
            TemplateSymbol = owner.Lookup(template.Text);
            Names = [.. template.PropertyNames];
            NameSymbols = new Symbol?[Names.Length];
            for (int i = 0; i < Names.Length; i++) NameSymbols[i] = owner.Lookup(Names[i]);
            Holes = template.Tokens.Where(t => t.IsHole).ToArray();
            // Names are stored cut to MaxNameChars: a longer one could not be found again by the reader.
            HolesRenderOnRead = Holes.All(h => h.PropertyName!.Length <= MaxNameChars && h.Format is null && !h.Destructure);
        }

        public MessagePackFormatter Owner { get; }

        private const int MaxBlocks = 8;
        private volatile (Symbol? Category, byte[] Bytes)[] _blocks = [];

        /// <summary>
        /// The definitions an event of this template with no other names uses, in the order the general
        /// path writes them (category, template, property names, each once), kept for up to
        /// <see cref="MaxBlocks"/> categories; null past that (the general path then writes them).
        /// Threads may build the same block at once: each copy holds the same bytes.
        /// </summary>
        public byte[]? DefinitionBlock(Symbol? category)
        {
            var blocks = _blocks;
            foreach (var (c, bytes) in blocks)
            {
                if (ReferenceEquals(c, category)) return bytes;
            }
            if (blocks.Length >= MaxBlocks) return null;
            var used = new List<Symbol>(NameSymbols.Length + 2);
            Use(category, used);
            Use(TemplateSymbol, used);
            foreach (var s in NameSymbols) Use(s, used);
            var block = used.SelectMany(s => s.Definition).ToArray();
            _blocks = [.. blocks, (category, block)];
            return block;
        }

        public Symbol? TemplateSymbol { get; }
        public string[] Names { get; }
        public Symbol?[] NameSymbols { get; }
        public TemplateToken[] Holes { get; }
        public bool HolesRenderOnRead { get; }
    }

    private readonly record struct TemplateCacheEntry(MessageTemplate Template, TemplateInfo Info);

    private readonly record struct TextCacheEntry(MessagePackFormatter Owner, string Text, Symbol Symbol);
}
