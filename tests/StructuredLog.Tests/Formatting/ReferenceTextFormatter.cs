using System.Buffers;
using System.Globalization;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The text formatter as it was before it wrote lines in place (session 15): rendering the message into a
/// scratch buffer and escaping it byte by byte. Kept as the reference that <see cref="TextFormatter"/> must
/// match byte for byte. Original summary: Human-readable lines for consoles: <c>2026-11-25T19:43:34.123Z INF Orders: Order 42 shipped {RequestId=7}</c>.
/// Message and values are escaped so that an event is exactly one line (unless
/// <see cref="MultilineExceptions"/> puts an exception's lines below it, each indented). ANSI colours
/// only when asked (the console sink asks when it writes to a terminal).
/// </summary>
internal sealed class ReferenceTextFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Creates a formatter.</summary>
    public ReferenceTextFormatter(bool colors = false, bool multilineExceptions = false, bool includeProperties = true)
    {
        Colors = colors;
        MultilineExceptions = multilineExceptions;
        IncludeProperties = includeProperties;
    }

    /// <summary>Write ANSI colour codes for levels.</summary>
    public bool Colors { get; }

    /// <summary>Write an exception's stack trace on indented lines below the event instead of escaped on its line.</summary>
    public bool MultilineExceptions { get; }

    /// <summary>Append properties that the message does not show (enrichment, scopes) as <c>{Name=value, ...}</c>.</summary>
    public bool IncludeProperties { get; }

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        Span<byte> ts = output.GetSpan(40);
        e.Timestamp.TryFormat(ts, out int n, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        output.Advance(n);
        Byte(output, (byte)' ');
        if (Colors) Copy(output, ColorFor(e.Level));
        Copy(output, LevelNames.ShortUtf8(e.Level));
        if (Colors) Copy(output, "\u001b[0m"u8);
        Byte(output, (byte)' ');
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, e.Category);
        EscapeLoop(output, scratch.WrittenSpan);
        Copy(output, ": "u8);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        EscapeLoop(output, scratch.WrittenSpan);

        if (IncludeProperties) WriteExtraProperties(e, output, scratch);
        if (e.Exception is { } ex)
        {
            scratch.ResetWrittenCount();
            LogValue.WriteString(scratch, JsonFormatter.ExceptionText(ex));
            if (MultilineExceptions)
            {
                foreach (var line in new LineSplitter(scratch.WrittenSpan))
                {
                    Copy(output, "\n    "u8);
                    EscapeLoop(output, line);
                }
            }
            else
            {
                Copy(output, " | "u8);
                EscapeLoop(output, scratch.WrittenSpan);
            }
        }
        Byte(output, (byte)'\n');
    }

    private static void WriteExtraProperties(in LogEvent e, IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
    {
        bool open = false;
        var props = e.Properties;
        for (int i = e.ArgumentCount; i < props.Length; i++) Write(props[i], ref open, output, scratch);
        for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            foreach (var p in scope.PropertyArray) Write(p, ref open, output, scratch);
        if (open) Byte(output, (byte)'}');

        static void Write(in LogProperty p, ref bool open, IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
        {
            Copy(output, open ? ", "u8 : " {"u8);
            open = true;
            scratch.ResetWrittenCount();
            LogValue.WriteString(scratch, p.Name);
            EscapeLoop(output, scratch.WrittenSpan);
            Byte(output, (byte)'=');
            scratch.ResetWrittenCount();
            p.Value.WriteUtf8(scratch, p.Format);
            EscapeLoop(output, scratch.WrittenSpan);
        }
    }

    // LineEscaping.Write as it was (no search first), so that the reference does not share the fast path.
    private static void EscapeLoop(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        int runStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            int skip;
            if (b < 0x20 || b == 0x7F) skip = 1;
            else if (b == 0xC2 && i + 1 < text.Length && text[i + 1] == 0x85) skip = 2;
            else if (b == 0xE2 && i + 2 < text.Length && text[i + 1] == 0x80 && (text[i + 2] == 0xA8 || text[i + 2] == 0xA9)) skip = 3;
            else continue;
            Copy(output, text[runStart..i]);
            var span = output.GetSpan(6);
            int n;
            int code = skip == 1 ? b : skip == 2 ? 0x85 : text[i + 2] == 0xA8 ? 0x2028 : 0x2029;
            switch (code)
            {
                case '\n': span[0] = (byte)'\\'; span[1] = (byte)'n'; n = 2; break;
                case '\r': span[0] = (byte)'\\'; span[1] = (byte)'r'; n = 2; break;
                case '\t': span[0] = (byte)'\\'; span[1] = (byte)'t'; n = 2; break;
                default:
                    span[0] = (byte)'\\';
                    span[1] = (byte)'u';
                    span[2] = "0123456789abcdef"u8[(code >> 12) & 0xF];
                    span[3] = "0123456789abcdef"u8[(code >> 8) & 0xF];
                    span[4] = "0123456789abcdef"u8[(code >> 4) & 0xF];
                    span[5] = "0123456789abcdef"u8[code & 0xF];
                    n = 6;
                    break;
            }
            output.Advance(n);
            i += skip - 1;
            runStart = i + 1;
        }
        Copy(output, text[runStart..]);
    }

    private static void Copy(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void Byte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static ReadOnlySpan<byte> ColorFor(LogLevel level) => level switch
    {
        LogLevel.Trace => "\u001b[90m"u8,
        LogLevel.Debug => "\u001b[37m"u8,
        LogLevel.Info => "\u001b[32m"u8,
        LogLevel.Warn => "\u001b[33m"u8,
        LogLevel.Error => "\u001b[31m"u8,
        _ => "\u001b[41;97m"u8,
    };

    private ref struct LineSplitter
    {
        private ReadOnlySpan<byte> _rest;
        public LineSplitter(ReadOnlySpan<byte> text) { _rest = text; Current = default; }
        public ReadOnlySpan<byte> Current { get; private set; }
        public readonly LineSplitter GetEnumerator() => this;
        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            int nl = _rest.IndexOf((byte)'\n');
            if (nl < 0) { Current = _rest; _rest = default; }
            else { Current = _rest[..nl].TrimEnd((byte)'\r'); _rest = _rest[(nl + 1)..]; }
            return true;
        }
    }
}
