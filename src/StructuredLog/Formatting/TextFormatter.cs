using System.Buffers;
using System.Globalization;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Human-readable lines for consoles: <c>2026-11-25T19:43:34.123Z INF Orders: Order 42 shipped {RequestId=7}</c>.
/// Message and values are escaped so that an event is exactly one line (unless
/// <see cref="MultilineExceptions"/> puts an exception's lines below it, each indented). ANSI colours
/// only when asked (the console sink asks when it writes to a terminal).
/// </summary>
public sealed class TextFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    /// <summary>Creates a formatter.</summary>
    public TextFormatter(bool colors = false, bool multilineExceptions = false, bool includeProperties = true)
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
        LineEscaping.Byte(output, (byte)' ');
        if (Colors) LineEscaping.Copy(output, ColorFor(e.Level));
        LineEscaping.Copy(output, LevelNames.ShortUtf8(e.Level));
        if (Colors) LineEscaping.Copy(output, "\u001b[0m"u8);
        LineEscaping.Byte(output, (byte)' ');
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, e.Category);
        LineEscaping.Write(output, scratch.WrittenSpan);
        LineEscaping.Copy(output, ": "u8);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        LineEscaping.Write(output, scratch.WrittenSpan);

        if (IncludeProperties) WriteExtraProperties(e, output, scratch);
        if (e.Exception is { } ex)
        {
            scratch.ResetWrittenCount();
            LogValue.WriteString(scratch, JsonFormatter.ExceptionText(ex));
            if (MultilineExceptions)
            {
                foreach (var line in new LineSplitter(scratch.WrittenSpan))
                {
                    LineEscaping.Copy(output, "\n    "u8);
                    LineEscaping.Write(output, line);
                }
            }
            else
            {
                LineEscaping.Copy(output, " | "u8);
                LineEscaping.Write(output, scratch.WrittenSpan);
            }
        }
        LineEscaping.Byte(output, (byte)'\n');
    }

    private static void WriteExtraProperties(in LogEvent e, IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
    {
        bool open = false;
        var props = e.Properties;
        for (int i = e.ArgumentCount; i < props.Length; i++) Write(props[i], ref open, output, scratch);
        for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            foreach (var p in scope.PropertyArray) Write(p, ref open, output, scratch);
        if (open) LineEscaping.Byte(output, (byte)'}');

        static void Write(in LogProperty p, ref bool open, IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch)
        {
            LineEscaping.Copy(output, open ? ", "u8 : " {"u8);
            open = true;
            scratch.ResetWrittenCount();
            LogValue.WriteString(scratch, p.Name);
            LineEscaping.Write(output, scratch.WrittenSpan);
            LineEscaping.Byte(output, (byte)'=');
            scratch.ResetWrittenCount();
            p.Value.WriteUtf8(scratch, p.Format);
            LineEscaping.Write(output, scratch.WrittenSpan);
        }
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
