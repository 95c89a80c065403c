using System.Buffers;
using System.Globalization;
using System.Text.Json;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The CSV formatter as it was before session 16 (kept as the oracle of <c>CsvEquivalenceTests</c>):
/// CSV after RFC 4180, one event per line: <c>timestamp,level,category,message,template,exception,trace_id,span_id,properties</c>
/// (properties as a JSON object). Every field is quoted with doubled quotes; line breaks inside fields
/// are escaped (<c>\n</c>) so that an event is always one line. <see cref="Header"/> is the header row.
/// </summary>
public sealed class ReferenceCsvFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_json;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>The header row (with its newline) that a file sink can write first.</summary>
    public static ReadOnlySpan<byte> Header => "timestamp,level,category,message,template,exception,trace_id,span_id,properties\n"u8;

    /// <summary>The shared instance.</summary>
    public static ReferenceCsvFormatter Default { get; } = new();

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        Span<byte> ts = output.GetSpan(40);
        e.Timestamp.TryFormat(ts, out int n, "O", CultureInfo.InvariantCulture);
        output.Advance(n);
        LineEscaping.Byte(output, (byte)',');
        LineEscaping.Copy(output, LevelNames.Utf8(e.Level));
        Field(output, scratch, e.Category);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        Quoted(output, scratch.WrittenSpan);
        Field(output, scratch, e.Template.Text);
        Field(output, scratch, e.Exception is { } ex ? JsonFormatter.ExceptionText(ex) : "");
        Field(output, scratch, e.HasTrace ? e.TraceId.ToHexString() : "");
        Field(output, scratch, e.HasTrace ? e.SpanId.ToHexString() : "");

        var jsonBuffer = t_json ??= new ArrayBufferWriter<byte>(256);
        jsonBuffer.ResetWrittenCount();
        // One JSON writer per thread, reset for each event (a new one per event allocated ~136 bytes).
        var json = t_jsonWriter ??= new Utf8JsonWriter(jsonBuffer, new JsonWriterOptions { Encoder = JsonFormatter.Encoder });
        json.Reset(jsonBuffer);
        json.WriteStartObject();
        foreach (ref readonly var p in e.Properties)
        {
            JsonFormatter.WritePropertyName(json, p.Name);
            JsonFormatter.WriteValue(json, p.Value, p.Format, int.MaxValue);
        }
        json.WriteEndObject();
        json.Flush();
        Quoted(output, jsonBuffer.WrittenSpan);
        if (jsonBuffer.Capacity > 1 << 20)
        {
            t_json = null; // don't keep a huge buffer forever
            t_jsonWriter = null;
        }
        LineEscaping.Byte(output, (byte)'\n');
    }

    private static void Field(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string value)
    {
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, value);
        Quoted(output, scratch.WrittenSpan);
    }

    private static void Quoted(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        LineEscaping.Copy(output, ",\""u8);
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != (byte)'"') continue;
            LineEscaping.Write(output, value[start..(i + 1)]);
            LineEscaping.Byte(output, (byte)'"');
            start = i + 1;
        }
        LineEscaping.Write(output, value[start..]);
        LineEscaping.Byte(output, (byte)'"');
    }
}
