using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using StructuredLog.Context;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// JSON lines: one object per event, then <c>\n</c>. Property values
/// keep their types (numbers stay numbers). Invalid UTF-16 is replaced with U+FFFD, control characters
/// and quotes are escaped, so every line parses whatever the input.
/// </summary>
public sealed class JsonFormatter : ILogFormatter
{
    internal static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    private static readonly byte[][] s_compactLevels = Array.ConvertAll(Enum.GetValues<LogLevel>(),
        level => System.Text.Encoding.UTF8.GetBytes(",\"@l\":\"" + LevelNames.Name(level) + "\""));
    // The level field and the opening of the rendered message, in one copy.
    private static readonly byte[][] s_compactLevelsThenMessage = Array.ConvertAll(s_compactLevels, level => (byte[])[.. level, .. ",\"@m\":\""u8]);
    // Rendered-message pieces have their own buffer: destructuring a hole writes strings through t_scratch.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_render;
    [ThreadStatic] private static LineState? t_state;

    /// <summary>The shared default instance (compact names, rendered message and template included).</summary>
    public static JsonFormatter Default { get; } = new();

    /// <summary>Creates a formatter.</summary>
    public JsonFormatter(JsonFieldNaming naming = JsonFieldNaming.Compact, bool includeRenderedMessage = true, bool includeTemplate = true)
    {
        Naming = naming;
        IncludeRenderedMessage = includeRenderedMessage;
        IncludeTemplate = includeTemplate;
    }

    /// <summary>The field naming style.</summary>
    public JsonFieldNaming Naming { get; }

    /// <summary>Write the rendered message (<c>@m</c> / <c>body</c>).</summary>
    public bool IncludeRenderedMessage { get; }

    /// <summary>Write the template (<c>@mt</c> / <c>message.template</c>).</summary>
    public bool IncludeTemplate { get; }

    /// <summary>True: the per-line state (number memo, kept strings, date and name caches) is per thread.</summary>
    public bool SupportsConcurrentFormatting => true;

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var state = t_state ??= new LineState();
        state.Memo.Prepare(e);
        state.ResetStrings();
        var w = new JsonLineWriter(output);
        if (Naming == JsonFieldNaming.Compact) WriteCompact(ref w, e, state);
        else WriteOpenTelemetry(ref w, e, state);
        w.Byte((byte)'\n');
        w.Complete();
    }

    private void WriteCompact(ref JsonLineWriter w, in LogEvent e, LineState state)
    {
        var forms = JsonTemplateForms.For(e.Template);
        w.Raw("{\"@t\":"u8);
        state.WriteTimestamp(ref w, e.Record.TimestampTicks);
        int level = Math.Min((int)e.Level, s_compactLevels.Length - 1);
        if (IncludeRenderedMessage)
        {
            w.Raw(s_compactLevelsThenMessage[level]);
            WriteRendered(ref w, e, forms, state);
            if (IncludeTemplate) w.Raw(forms.MessageEndAndCompactTemplateField);
            else w.Byte((byte)'"');
        }
        else
        {
            w.Raw(s_compactLevels[level]);
            if (IncludeTemplate) w.Raw(forms.CompactTemplateField);
        }
        if (e.Exception is { } ex)
        {
            w.Raw(",\"@x\":"u8);
            w.String(ExceptionText(ex));
        }
        if (e.HasTrace)
        {
            w.Raw(",\"@tr\":"u8);
            WriteHex(ref w, e.TraceId);
            w.Raw(",\"@sp\":"u8);
            WriteHex(ref w, e.SpanId);
        }
        w.Raw(state.CompactCategory(e.Category));
        if (e.EventId != 0)
        {
            w.Raw(",\"@i\":"u8);
            w.Number(e.EventId);
        }
        if (e.EventName is { } en)
        {
            w.Raw(",\"@en\":"u8);
            w.String(en);
        }
        WriteProperties(ref w, e, forms, state);
        w.Byte((byte)'}');
    }

    private void WriteOpenTelemetry(ref JsonLineWriter w, in LogEvent e, LineState state)
    {
        var forms = JsonTemplateForms.For(e.Template);
        w.Raw("{\"timestamp\":"u8);
        state.WriteTimestamp(ref w, e.Record.TimestampTicks);
        w.Raw(",\"severityText\":"u8);
        w.String(LevelNames.OpenTelemetryText(e.Level));
        w.Raw(",\"severityNumber\":"u8);
        w.Number(LevelNames.OpenTelemetryNumber(e.Level));
        if (IncludeRenderedMessage)
        {
            w.Raw(",\"body\":\""u8);
            WriteRendered(ref w, e, forms, state);
            w.Byte((byte)'"');
        }
        if (e.HasTrace)
        {
            w.Raw(",\"traceId\":"u8);
            WriteHex(ref w, e.TraceId);
            w.Raw(",\"spanId\":"u8);
            WriteHex(ref w, e.SpanId);
            w.Raw(",\"traceFlags\":"u8);
            w.Number((int)e.TraceFlags);
        }
        w.Raw(",\"attributes\":{"u8);
        if (IncludeTemplate)
        {
            w.Raw("\"message.template\":\""u8);
            w.Raw(forms.Text);
            w.Raw("\","u8);
        }
        w.Raw("\"log.category\":"u8);
        w.Raw(state.Category(e.Category));
        if (e.EventId != 0)
        {
            w.Raw(",\"event.id\":"u8);
            w.Number(e.EventId);
        }
        if (e.EventName is { } en)
        {
            w.Raw(",\"event.name\":"u8);
            w.String(en);
        }
        if (e.Exception is { } ex)
        {
            w.Raw(",\"exception.type\":"u8);
            w.String(ex.GetType().FullName ?? ex.GetType().Name);
            w.Raw(",\"exception.message\":"u8);
            w.String(SafeMessage(ex));
            w.Raw(",\"exception.stacktrace\":"u8);
            w.String(ExceptionText(ex));
        }
        WriteProperties(ref w, e, forms, state);
        w.Raw("}}"u8);
    }

    private static void WriteProperties(ref JsonLineWriter w, in LogEvent e, JsonTemplateForms forms, LineState state)
    {
        var props = e.Properties;
        var names = e.Template.PropertyNameArray;
        int maxChars = e.Record.MaxValueChars;
        var memo = state.Memo;
        for (int i = 0; i < props.Length; i++)
        {
            ref readonly var p = ref props[i];
            // Every property follows another field: names are written as ,"name": in one copy. Template
            // arguments carry the template's own name strings: their escaped forms are precomputed.
            w.Raw(i < forms.Names.Length && ReferenceEquals(p.Name, names[i]) ? forms.Names[i] : state.Name(p.Name, i));
            if (memo.TryGet(i, out var number)) w.Raw(number);
            else if (p.Value.Kind == LogValueKind.String && state.TryGetString(i, out var escaped))
            {
                w.Byte((byte)'"');
                w.Raw(escaped);
                w.Byte((byte)'"');
            }
            else if (p.Destructure && p.Value.Kind == LogValueKind.Object) WriteDestructured(ref w, p.Value.AsObject);
            else WriteValue(ref w, p.Value, maxChars);
        }
        if (e.Scope is not null) WriteScopeProperties(ref w, e, state, maxChars);
    }

    /// <summary>Scope properties, innermost first; a name already written is not repeated.</summary>
    /// <remarks>
    /// A method of its own, paid only by events with a scope. It walks the scope chain itself, by reference, with the
    /// enumerator's rule (<see cref="ScopePropertyEnumerator.IsShadowed"/>: a name the event or an inner scope has is
    /// skipped): the enumerator copied each 56-byte property twice and was half of this method's time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteScopeProperties(ref JsonLineWriter w, in LogEvent e, LineState state, int maxChars)
    {
        var own = e.Properties;
        var innermost = e.Scope!;
        int index = own.Length;
        for (var scope = innermost; scope is not null; scope = scope.Parent)
        {
            var properties = scope.PropertyArray;
            for (int i = 0; i < properties.Length; i++)
            {
                ref readonly var p = ref properties[i];
                if (ScopePropertyEnumerator.IsShadowed(p.Name, own, innermost, scope)) continue;
                w.Raw(state.Name(p.Name, index++));
                WriteValue(ref w, p.Value, maxChars);
            }
        }
    }

    /// <summary>The message with its holes filled, escaped for the inside of a JSON string, written piece by piece.</summary>
    private static void WriteRendered(ref JsonLineWriter w, in LogEvent e, JsonTemplateForms forms, LineState state)
    {
        var memo = state.Memo;
        var r = e.Record;
        bool byIndex = !r.BindByName;
        var tokens = r.Template.TokenArray;
        for (int i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (forms.Literals[i] is { } literal)
            {
                w.Raw(literal);
            }
            else if (byIndex && token.Format is null && memo.TryGet(token.ArgumentIndex, out var number))
            {
                w.Raw(number);
            }
            else if (e.TryGetHoleValue(token, out var p))
            {
                if (p.Destructure && p.Value.Kind == LogValueKind.Object)
                {
                    var scratch = Scratch(ref t_render);
                    Destructurer.WriteJsonText(scratch, p.Value.AsObject!);
                    w.Escaped(scratch.WrittenSpan);
                }
                else if (p.Value.Kind == LogValueKind.String)
                {
                    // The argument's property is written later: keep its escaped text to copy then.
                    var mark = w.Mark();
                    w.Escaped(p.Value.AsString, r.MaxValueChars);
                    if (byIndex && w.TryGetWrittenSince(mark, out var escaped)) state.KeepString(token.ArgumentIndex, escaped);
                }
                else
                {
                    var scratch = Scratch(ref t_render);
                    p.Value.WriteUtf8(scratch, token.Format ?? p.Format, r.MaxValueChars);
                    w.Escaped(scratch.WrittenSpan);
                }
            }
            else
            {
                w.Escaped(token.Text);
            }
        }
    }

    private static ArrayBufferWriter<byte> Scratch() => Scratch(ref t_scratch);

    private static ArrayBufferWriter<byte> Scratch(ref ArrayBufferWriter<byte>? slot)
    {
        var scratch = slot;
        if (scratch is null || scratch.Capacity > 1 << 20) slot = scratch = new ArrayBufferWriter<byte>(1024); // don't pin a huge buffer forever
        scratch.ResetWrittenCount();
        return scratch;
    }

    private static void WriteDestructured(ref JsonLineWriter w, object? value)
    {
        // Destructure into a scratch writer first so that a failure mid-graph cannot leave the event's JSON broken.
        var scratch = new ArrayBufferWriter<byte>();
        try
        {
            using (var inner = new Utf8JsonWriter(scratch, new JsonWriterOptions { Encoder = Encoder }))
            {
                Destructurer.WriteJson(inner, value);
            }
        }
        catch (Exception ex)
        {
            w.String("<destructuring failed: " + ex.GetType().Name + ">");
            return;
        }
        w.Raw(scratch.WrittenSpan);
    }

    /// <summary>A typed value: numbers as numbers (NaN and infinities as strings), text as strings.</summary>
    private static void WriteValue(ref JsonLineWriter w, in LogValue v, int maxChars)
    {
        switch (v.Kind)
        {
            case LogValueKind.Null: w.Raw("null"u8); return;
            case LogValueKind.Boolean: w.Raw(v.Lo != 0 ? "true"u8 : "false"u8); return;
            case LogValueKind.Byte:
            case LogValueKind.UInt16:
            case LogValueKind.UInt32:
            case LogValueKind.UInt64: w.Number(v.Lo); return;
            case LogValueKind.SByte: w.Number((sbyte)(byte)v.Lo); return;
            case LogValueKind.Int16: w.Number((short)(ushort)v.Lo); return;
            case LogValueKind.Int32: w.Number((int)(uint)v.Lo); return;
            case LogValueKind.Int64: w.Number((long)v.Lo); return;
            case LogValueKind.Single:
            case LogValueKind.Double:
                {
                    double d = v.DoubleValue;
                    if (!double.IsFinite(d)) w.Raw(double.IsNaN(d) ? "\"NaN\""u8 : d > 0 ? "\"Infinity\""u8 : "\"-Infinity\""u8);
                    else if (v.Kind == LogValueKind.Single) w.Number((float)d);
                    else
                    {
                        ShortDouble.TryFormatAny(d, w.Reserve(64), out int n);
                        w.Advance(n);
                    }
                    return;
                }
            case LogValueKind.Decimal: w.Number(v.DecimalValue); return;
            case LogValueKind.String: w.String(v.AsString, maxChars); return;
        }
        // Dates, times, GUIDs, enums, chars and objects: their UTF-8 text as a JSON string.
        var scratch = Scratch();
        v.WriteUtf8(scratch, v.Kind is LogValueKind.DateTime or LogValueKind.DateTimeOffset ? "O" : default, maxChars);
        w.String(scratch.WrittenSpan);
    }

    // W3C ids keep their lowercase hex text (ToHexString returns it without allocating); CopyTo would parse
    // that text into bytes only for WriteHex to turn them back into the same text.
    private static void WriteHex(ref JsonLineWriter w, ActivityTraceId id)
    {
        if (!TryWriteAscii(ref w, id.ToHexString()))
        {
            Span<byte> bytes = stackalloc byte[16];
            id.CopyTo(bytes);
            WriteHex(ref w, bytes);
        }
    }

    private static void WriteHex(ref JsonLineWriter w, ActivitySpanId id)
    {
        if (!TryWriteAscii(ref w, id.ToHexString()))
        {
            Span<byte> bytes = stackalloc byte[8];
            id.CopyTo(bytes);
            WriteHex(ref w, bytes);
        }
    }

    /// <summary>Writes a short hex id as a JSON string, or nothing if it is not plain hex digits.</summary>
    private static bool TryWriteAscii(ref JsonLineWriter w, string hex)
    {
        if (hex.Length > 32 || hex.AsSpan().ContainsAnyExcept(s_hexDigits)) return false;
        var span = w.Reserve(hex.Length + 2);
        span[0] = (byte)'"';
        System.Text.Ascii.FromUtf16(hex, span[1..], out int n);
        span[n + 1] = (byte)'"';
        w.Advance(n + 2);
        return true;
    }

    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdef");

    private static void WriteHex(ref JsonLineWriter w, scoped ReadOnlySpan<byte> bytes)
    {
        var span = w.Reserve(bytes.Length * 2 + 2);
        span[0] = (byte)'"';
        Convert.TryToHexStringLower(bytes, span[1..], out int n);
        span[n + 1] = (byte)'"';
        w.Advance(n + 2);
    }

    /// <summary>Per-thread state of the line writer: number memo, the current second's date text, escaped names.</summary>
    private sealed class LineState
    {
        private const int MaxNames = 4096;
        private readonly Dictionary<string, byte[]> _names = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private readonly Dictionary<string, byte[]> _categories = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private const int SecondLength = 20;
        private readonly byte[] _second = new byte[SecondLength]; // "yyyy-MM-ddTHH:mm:ss
        private long _secondTicks = -1;
        private string? _lastCategory;
        private byte[] _lastCategoryJson = [];

        public readonly NumberMemo Memo = new();

        // Escaped text of string arguments already written into the rendered message, by argument index.
        private const int MaxKeptStrings = 16;
        private readonly byte[] _strings = new byte[2048];
        private readonly int[] _stringStart = new int[MaxKeptStrings];
        private readonly int[] _stringLength = new int[MaxKeptStrings];
        private int _stringsUsed;
        private int _stringsKept; // bit per argument index

        public void ResetStrings()
        {
            _stringsKept = 0;
            _stringsUsed = 0;
        }

        public void KeepString(int index, ReadOnlySpan<byte> escaped)
        {
            if ((uint)index >= MaxKeptStrings || (_stringsKept & (1 << index)) != 0 || escaped.Length > _strings.Length - _stringsUsed) return;
            escaped.CopyTo(_strings.AsSpan(_stringsUsed));
            _stringStart[index] = _stringsUsed;
            _stringLength[index] = escaped.Length;
            _stringsUsed += escaped.Length;
            _stringsKept |= 1 << index;
        }

        public bool TryGetString(int index, out ReadOnlySpan<byte> escaped)
        {
            if ((uint)index < MaxKeptStrings && (_stringsKept & (1 << index)) != 0)
            {
                escaped = _strings.AsSpan(_stringStart[index], _stringLength[index]);
                return true;
            }
            escaped = default;
            return false;
        }

        /// <summary><c>,"name":</c>, escaped; cached by reference.</summary>
        public byte[] Name(string name) =>
            _names.TryGetValue(name, out var bytes) ? bytes : Remember(_names, name, JsonTemplateForms.PropertyName(name));

        private const int RecentNames = 16;
        private readonly string?[] _recentNameKeys = new string?[RecentNames];
        private readonly byte[][] _recentNames = new byte[RecentNames][];

        /// <summary>
        /// <see cref="Name(string)"/> for the property at <paramref name="index"/> of an event, remembering the last name
        /// seen at each index: properties from outside the template (scope pairs, names that bind no hole) usually come
        /// in the same order event after event, and the dictionary's look-up (a hash of the string's identity, a probe)
        /// was a quarter of writing the properties of a scoped event.
        /// </summary>
        public byte[] Name(string name, int index)
        {
            if ((uint)index >= RecentNames || name.Length > 1024) return Name(name);
            if (ReferenceEquals(_recentNameKeys[index], name)) return _recentNames[index];
            var bytes = Name(name);
            _recentNameKeys[index] = name;
            _recentNames[index] = bytes;
            return bytes;
        }

        private readonly Dictionary<string, byte[]> _compactCategories = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private string? _lastCompactCategory;
        private byte[] _lastCompactCategoryJson = [];

        /// <summary><c>,"@c":"category"</c>, escaped, for the compact naming; cached by reference like <see cref="Category"/>.</summary>
        public byte[] CompactCategory(string category)
        {
            if (ReferenceEquals(category, _lastCompactCategory)) return _lastCompactCategoryJson;
            if (!_compactCategories.TryGetValue(category, out var bytes))
                bytes = Remember(_compactCategories, category, [.. ",\"@c\":"u8, .. Category(category)]);
            _lastCompactCategory = category;
            _lastCompactCategoryJson = bytes;
            return bytes;
        }

        /// <summary>The category as a quoted, escaped JSON string; cached by reference.</summary>
        public byte[] Category(string category)
        {
            if (ReferenceEquals(category, _lastCategory)) return _lastCategoryJson;
            if (!_categories.TryGetValue(category, out var bytes))
                bytes = Remember(_categories, category, [(byte)'"', .. JsonTemplateForms.Escape(category), (byte)'"']);
            _lastCategory = category;
            _lastCategoryJson = bytes;
            return bytes;
        }

        /// <summary>Keeps <paramref name="bytes"/> for <paramref name="key"/> unless the key is huge; a full cache starts over.</summary>
        private static byte[] Remember(Dictionary<string, byte[]> cache, string key, byte[] bytes)
        {
            if (key.Length <= 1024)
            {
                if (cache.Count >= MaxNames) cache.Clear();
                cache[key] = bytes;
            }
            return bytes;
        }

        /// <summary>
        /// The UTC timestamp as Utf8JsonWriter writes a <see cref="DateTime"/>: round-trip format with the
        /// fraction's trailing zeros trimmed (none at all on a whole second). The date and time up to the
        /// second are formatted once per second.
        /// </summary>
        public void WriteTimestamp(ref JsonLineWriter w, long ticks)
        {
            long second = ticks - ticks % TimeSpan.TicksPerSecond;
            if (second != _secondTicks)
            {
                _second[0] = (byte)'"';
                new DateTime(second, DateTimeKind.Utc).TryFormat(_second.AsSpan(1), out _, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
                _secondTicks = second;
            }
            var span = w.Reserve(32);
            _ = span[31]; // every write below stays under 30 bytes (20 + '.' and 7 digits + 'Z' and '"')
            // The cached 20 bytes as one 16-byte and one 4-byte move (a memmove call cost more than the copy).
            ref byte dst = ref MemoryMarshal.GetReference(span);
            ref byte src = ref MemoryMarshal.GetArrayDataReference(_second);
            Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<Vector128<byte>>(ref src));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, 16), Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, 16)));
            int pos = SecondLength;
            int fraction = (int)(ticks - second);
            if (fraction != 0)
            {
                // All seven digits, two at a time (three independent divisions by constants), then the
                // trailing zeros dropped by moving the end back.
                Unsafe.Add(ref dst, pos) = (byte)'.';
                ref byte pairs = ref MemoryMarshal.GetReference(ShortDouble.DigitPairs);
                int hi = fraction / 100_000, rest = fraction - hi * 100_000;
                int mid = rest / 1_000;
                rest -= mid * 1_000;
                int lo = rest / 10;
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, pos + 1), Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref pairs, hi * 2)));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, pos + 3), Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref pairs, mid * 2)));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, pos + 5), Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref pairs, lo * 2)));
                Unsafe.Add(ref dst, pos + 7) = (byte)('0' + rest - lo * 10);
                pos += 8;
                while (Unsafe.Add(ref dst, pos - 1) == (byte)'0') pos--;
            }
            Unsafe.Add(ref dst, pos++) = (byte)'Z';
            Unsafe.Add(ref dst, pos++) = (byte)'"';
            w.Advance(pos);
        }
    }

    internal static string ExceptionText(Exception ex)
    {
        try { return ex.ToString(); }
        catch (Exception inner) { return ex.GetType().FullName + ": <ToString threw " + inner.GetType().Name + ">"; }
    }

    internal static string SafeMessage(Exception ex)
    {
        try { return ex.Message; }
        catch (Exception inner) { return "<Message threw " + inner.GetType().Name + ">"; }
    }

    /// <summary>Writes a typed value: numbers as numbers (NaN and infinities as strings), text as strings.</summary>
    internal static void WriteValue(Utf8JsonWriter json, in LogValue v, string? format, int maxChars)
    {
        switch (v.Kind)
        {
            case LogValueKind.Null: json.WriteNullValue(); return;
            case LogValueKind.Boolean: json.WriteBooleanValue(v.Lo != 0); return;
            case LogValueKind.Byte:
            case LogValueKind.UInt16:
            case LogValueKind.UInt32:
            case LogValueKind.UInt64: json.WriteNumberValue(v.Lo); return;
            case LogValueKind.SByte: json.WriteNumberValue((sbyte)(byte)v.Lo); return;
            case LogValueKind.Int16: json.WriteNumberValue((short)(ushort)v.Lo); return;
            case LogValueKind.Int32: json.WriteNumberValue((int)(uint)v.Lo); return;
            case LogValueKind.Int64: json.WriteNumberValue((long)v.Lo); return;
            case LogValueKind.Single:
            case LogValueKind.Double:
                {
                    double d = v.DoubleValue;
                    if (double.IsFinite(d))
                    {
                        if (v.Kind == LogValueKind.Single) json.WriteNumberValue((float)d);
                        else json.WriteNumberValue(d);
                    }
                    else json.WriteStringValue(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    return;
                }
            case LogValueKind.Decimal: json.WriteNumberValue(v.DecimalValue); return;
            case LogValueKind.String: WriteStringValue(json, v.AsString!, maxChars); return;
        }
        // Dates, times, GUIDs, enums, chars and objects: their UTF-8 text as a JSON string.
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        v.WriteUtf8(scratch, v.Kind is LogValueKind.DateTime or LogValueKind.DateTimeOffset ? "O" : default, maxChars);
        json.WriteStringValue(scratch.WrittenSpan);
    }

    internal static void WriteStringValue(Utf8JsonWriter json, string s, int maxChars = int.MaxValue)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, s, maxChars);
        json.WriteStringValue(scratch.WrittenSpan);
    }

    internal static void WritePropertyName(Utf8JsonWriter json, string name)
    {
        if (JsonTextCache.TryGet(name, Encoder, out var encoded))
        {
            json.WritePropertyName(encoded);
            return;
        }
        Span<byte> buffer = stackalloc byte[256];
        if (name.Length <= 80)
        {
            Utf8.FromUtf16(name, buffer, out _, out int written, replaceInvalidSequences: true);
            json.WritePropertyName(buffer[..written]);
            return;
        }
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, name, 1024);
        json.WritePropertyName(scratch.WrittenSpan);
    }
}
