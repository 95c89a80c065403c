using System.Buffers;
using System.Globalization;
using StructuredLog.Events;

using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The logfmt formatter as it was before it wrote lines in place (session 15), kept as the reference that
/// <see cref="LogfmtFormatter"/> must match byte for byte. Original summary: logfmt lines: <c>ts=2026-11-25T19:43:34.1234567Z level=info category=Orders msg="Order 42 shipped" OrderId=42</c>.
/// Values with spaces, quotes, <c>=</c> or non-printable characters are quoted and escaped; an event is
/// always exactly one line.
/// </summary>
internal sealed class ReferenceLogfmtFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        LineEscaping.Copy(output, "ts="u8);
        Span<byte> ts = output.GetSpan(40);
        e.Timestamp.TryFormat(ts, out int n, "O", CultureInfo.InvariantCulture);
        output.Advance(n);
        LineEscaping.Copy(output, " level="u8);
        LineEscaping.Copy(output, LevelNames.Utf8(e.Level));
        Pair(output, scratch, "category", e.Category);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        LineEscaping.Copy(output, " msg="u8);
        WriteValue(output, scratch.WrittenSpan);
        if (e.HasTrace)
        {
            Pair(output, scratch, "trace_id", e.TraceId.ToHexString());
            Pair(output, scratch, "span_id", e.SpanId.ToHexString());
        }
        foreach (ref readonly var p in e.Properties) Property(output, scratch, p);
        for (var scope = e.Scope; scope is not null; scope = scope.Parent)
            foreach (var p in scope.PropertyArray) Property(output, scratch, p);
        if (e.Exception is { } ex) Pair(output, scratch, "exception", JsonFormatter.ExceptionText(ex));
        LineEscaping.Byte(output, (byte)'\n');
    }

    private static void Property(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, in LogProperty p)
    {
        LineEscaping.Byte(output, (byte)' ');
        WriteKey(output, scratch, p.Name);
        LineEscaping.Byte(output, (byte)'=');
        scratch.ResetWrittenCount();
        if (p.Destructure && p.Value.Kind == LogValueKind.Object) Destructurer.WriteJsonText(scratch, p.Value.AsObject);
        else p.Value.WriteUtf8(scratch, p.Format);
        WriteValue(output, scratch.WrittenSpan);
    }

    private static void Pair(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string key, string value)
    {
        LineEscaping.Byte(output, (byte)' ');
        LogValue.Ascii(output, key);
        LineEscaping.Byte(output, (byte)'=');
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, value);
        WriteValue(output, scratch.WrittenSpan);
    }

    private static void WriteKey(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string key)
    {
        // Keys cannot be quoted in logfmt: anything outside [A-Za-z0-9_.-] becomes '_'.
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, key.Length == 0 ? "_" : key);
        var span = output.GetSpan(scratch.WrittenCount);
        int n = 0;
        foreach (byte b in scratch.WrittenSpan)
            span[n++] = (b is >= (byte)'a' and <= (byte)'z') || (b is >= (byte)'A' and <= (byte)'Z') || (b is >= (byte)'0' and <= (byte)'9') || b is (byte)'_' or (byte)'.' or (byte)'-' ? b : (byte)'_';
        output.Advance(n);
    }

    private static void WriteValue(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        bool quote = value.IsEmpty;
        foreach (byte b in value)
        {
            if (b <= (byte)' ' || b == (byte)'"' || b == (byte)'=' || b == (byte)'\\' || b >= 0x7F) { quote = true; break; }
        }
        if (!quote) { LineEscaping.Copy(output, value); return; }
        LineEscaping.Byte(output, (byte)'"');
        LineEscaping.Write(output, value, quote: (byte)'"', escapeBackslash: true);
        LineEscaping.Byte(output, (byte)'"');
    }
}
