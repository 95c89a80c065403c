using System.Buffers;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// logfmt lines: <c>ts=2026-11-25T19:43:34.1234567Z level=info category=Orders msg="Order 42 shipped" OrderId=42</c>.
/// Values with spaces, quotes, <c>=</c> or non-printable characters are quoted and escaped; an event is
/// always exactly one line.
/// </summary>
public sealed class LogfmtFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static LineState? t_state;

    // A value is quoted when it is empty or holds a space, a control, '"', '=', '\' or any byte from DEL up.
    private static readonly SearchValues<byte> s_quoteTriggers = SearchValues.Create(
        [.. Enumerable.Range(0, 0x21).Select(b => (byte)b), (byte)'"', (byte)'=', (byte)'\\', .. Enumerable.Range(0x7F, 0x81).Select(b => (byte)b)]);

    // " level=Info" for each level, as LevelNames.Name gives it (levels past Off read as Off).
    private static readonly byte[][] s_levelFields = Enumerable.Range(0, (int)LogLevel.Off + 1)
        .Select(l => System.Text.Encoding.ASCII.GetBytes(" level=" + LevelNames.Name((LogLevel)l))).ToArray();

    /// <summary>The shared instance.</summary>
    public static LogfmtFormatter Default { get; } = new();

    /// <summary>True: the formatter's caches are per thread, so the pipeline may format on two threads at once.</summary>
    public bool SupportsConcurrentFormatting => true;

    /// <inheritdoc />
    /// <remarks>
    /// The line is written in place: the timestamp from a per-second cache, the category's and property
    /// names' bytes from per-thread caches, numbers and plain ASCII values straight into the line; anything
    /// that needs quoting or escaping goes through the general rules (the same bytes).
    /// </remarks>
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        var state = t_state ??= new LineState();
        var w = new TextLineWriter(output);
        state.WriteTimestamp(ref w, e.Record.TimestampTicks);
        w.Raw(s_levelFields[Math.Min((int)e.Level, s_levelFields.Length - 1)]);
        state.WriteCategory(ref w, e.Category, scratch);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        w.Raw(" msg="u8);
        WriteValue(ref w, scratch.WrittenSpan);
        if (e.HasTrace)
        {
            Pair(ref w, scratch, "trace_id", e.TraceId.ToHexString());
            Pair(ref w, scratch, "span_id", e.SpanId.ToHexString());
        }
        var props = e.Properties;
        // The arguments' keys come from the template's names: one array of key bytes per template.
        var keys = state.TemplateKeys(e.Template, scratch);
        for (int i = 0; i < props.Length; i++)
        {
            ref readonly var p = ref props[i];
            Property(ref w, state, scratch, p, i < keys.Length && ReferenceEquals(p.Name, e.Template.PropertyNameArray[i]) ? keys[i] : null);
        }
        for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            foreach (var p in scope.PropertyArray) Property(ref w, state, scratch, p, null);
        if (e.Exception is { } ex) Pair(ref w, scratch, "exception", JsonFormatter.ExceptionText(ex));
        w.Byte((byte)'\n');
        w.Complete();
    }

    private static void Property(ref TextLineWriter w, LineState state, ArrayBufferWriter<byte> scratch, in LogProperty p, byte[]? key)
    {
        w.Byte((byte)' ');
        if (key is not null) w.Raw(key);
        else state.WriteKey(ref w, p.Name, scratch);
        w.Byte((byte)'=');
        bool objectToDestructure = p.Destructure && p.Value.Kind == LogValueKind.Object;
        if (!objectToDestructure && p.Format is null && TryWritePlain(ref w, p.Value)) return;
        scratch.ResetWrittenCount();
        if (objectToDestructure) Destructurer.WriteJsonText(scratch, p.Value.AsObject);
        else p.Value.WriteUtf8(scratch, p.Format);
        WriteValue(ref w, scratch.WrittenSpan);
    }

    /// <summary>
    /// Numbers (an invariant number never needs quoting) and strings of plain printable ASCII, written in
    /// place exactly as <see cref="LogValue.WriteUtf8"/> and <see cref="WriteValue"/> would; false for anything else.
    /// </summary>
    private static bool TryWritePlain(ref TextLineWriter w, in LogValue value)
    {
        if (value.Kind != LogValueKind.String) return w.TryNumber(value);
        string text = value.AsString!;
        if (text.Length is 0 or > 256) return false;
        var dest = w.Reserve(text.Length)[..text.Length];
        for (int i = 0; i < dest.Length; i++)
        {
            char c = text[i];
            // Printable ASCII without space, '"', '=' or '\' (those make the value quoted).
            if ((uint)(c - '!') > '~' - '!' || c is '"' or '=' or '\\') return false;
            dest[i] = (byte)c;
        }
        w.Advance(text.Length);
        return true;
    }

    private static void Pair(ref TextLineWriter w, ArrayBufferWriter<byte> scratch, string key, string value)
    {
        var span = w.Reserve(key.Length + 2);
        span[0] = (byte)' ';
        for (int i = 0; i < key.Length; i++) span[i + 1] = (byte)key[i]; // the formatter's own ASCII keys
        span[key.Length + 1] = (byte)'=';
        w.Advance(key.Length + 2);
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, value);
        WriteValue(ref w, scratch.WrittenSpan);
    }

    /// <summary>A key: anything outside <c>[A-Za-z0-9_.-]</c> becomes <c>_</c> (keys cannot be quoted in logfmt); empty → <c>_</c>.</summary>
    private static void WriteKey(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string key)
    {
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, key.Length == 0 ? "_" : key);
        var span = output.GetSpan(scratch.WrittenCount);
        int n = 0;
        foreach (byte b in scratch.WrittenSpan)
            span[n++] = (b is >= (byte)'a' and <= (byte)'z') || (b is >= (byte)'A' and <= (byte)'Z') || (b is >= (byte)'0' and <= (byte)'9') || b is (byte)'_' or (byte)'.' or (byte)'-' ? b : (byte)'_';
        output.Advance(n);
    }

    /// <summary>A value: as it is, or quoted with <c>"</c> and <c>\</c> escaped (and line breaks and controls, as everywhere).</summary>
    private static void WriteValue(ref TextLineWriter w, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty && !value.ContainsAny(s_quoteTriggers))
        {
            w.Raw(value);
            return;
        }
        w.Byte((byte)'"');
        var output = w.Detach();
        LineEscaping.Write(output, value, quote: (byte)'"', escapeBackslash: true);
        w.Attach();
        w.Byte((byte)'"');
    }

    /// <summary>Per-thread caches: the current second's <c>ts=</c> prefix, and the bytes of categories and keys.</summary>
    private sealed class LineState
    {
        private const int MaxCached = 4096;
        private readonly UtcSecondText _time = new();
        private readonly Dictionary<string, byte[]> _categories = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private readonly Dictionary<string, byte[]> _keys = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private string? _lastCategory;
        private byte[] _lastCategoryBytes = [];

        /// <summary>Writes <c>ts=</c> and the round-trip ("O") form of the UTC time: seven fraction digits and <c>Z</c>.</summary>
        public void WriteTimestamp(ref TextLineWriter w, long ticks)
        {
            var span = w.Reserve(3 + UtcSecondText.RoundTripLength);
            "ts="u8.CopyTo(span);
            _time.WriteRoundTrip(span[3..], ticks);
            w.Advance(3 + UtcSecondText.RoundTripLength);
        }

        /// <summary><c> category=</c> and the category as a value, made once per logger's name string.</summary>
        public void WriteCategory(ref TextLineWriter w, string category, ArrayBufferWriter<byte> scratch)
        {
            if (!ReferenceEquals(category, _lastCategory))
            {
                if (!_categories.TryGetValue(category, out var bytes))
                {
                    if (_categories.Count >= MaxCached)
                    {
                        Pair(ref w, scratch, "category", category); // unbounded names: written, not kept
                        return;
                    }
                    bytes = Made(scratch, category, static (output, scratch, text) =>
                    {
                        var inner = new TextLineWriter(output);
                        Pair(ref inner, scratch, "category", text);
                        inner.Complete();
                    });
                    _categories[category] = bytes;
                }
                _lastCategory = category;
                _lastCategoryBytes = bytes;
            }
            w.Raw(_lastCategoryBytes);
        }

        private MessageTemplate? _lastTemplate;
        private byte[][] _lastTemplateKeys = [];
        private readonly Dictionary<MessageTemplate, byte[][]> _templateKeys = new(ReferenceEqualityComparer.Instance as IEqualityComparer<MessageTemplate>);

        /// <summary>The keys of <paramref name="template"/>'s property names, in order, made once per template.</summary>
        public byte[][] TemplateKeys(MessageTemplate template, ArrayBufferWriter<byte> scratch)
        {
            if (ReferenceEquals(template, _lastTemplate)) return _lastTemplateKeys;
            if (!_templateKeys.TryGetValue(template, out var keys))
            {
                if (_templateKeys.Count >= MaxCached) return []; // unbounded templates: keys made one by one (WriteKey)
                var names = template.PropertyNameArray;
                keys = new byte[names.Length][];
                for (int i = 0; i < names.Length; i++)
                    keys[i] = Made(scratch, names[i], static (output, scratch, text) => LogfmtFormatter.WriteKey(output, scratch, text));
                _templateKeys[template] = keys;
            }
            _lastTemplate = template;
            _lastTemplateKeys = keys;
            return keys;
        }

        /// <summary>A property's key, made once per name string (names are the template's strings).</summary>
        public void WriteKey(ref TextLineWriter w, string name, ArrayBufferWriter<byte> scratch)
        {
            if (!_keys.TryGetValue(name, out var bytes))
            {
                if (_keys.Count >= MaxCached)
                {
                    var output = w.Detach();
                    LogfmtFormatter.WriteKey(output, scratch, name);
                    w.Attach();
                    return;
                }
                bytes = Made(scratch, name, static (output, scratch, text) => LogfmtFormatter.WriteKey(output, scratch, text));
                _keys[name] = bytes;
            }
            w.Raw(bytes);
        }

        private static byte[] Made(ArrayBufferWriter<byte> scratch, string text, Action<IBufferWriter<byte>, ArrayBufferWriter<byte>, string> write)
        {
            var made = new ArrayBufferWriter<byte>(text.Length + 16);
            write(made, scratch, text);
            return made.WrittenSpan.ToArray();
        }
    }
}
