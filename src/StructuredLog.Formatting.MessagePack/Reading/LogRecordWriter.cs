using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using StructuredLog.Events;

namespace StructuredLog.Formatting.MessagePack;

/// <summary>
/// Converts read-back events to text: JSON lines identical to what <see cref="JsonFormatter"/> (compact
/// naming, message and template included) wrote for the original event, or a human-readable line.
/// </summary>
public static class LogRecordWriter
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="record"/> as one JSON line (with its <c>\n</c>).</summary>
    public static void WriteJsonLine(LogRecord record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(record);
        using (var json = new Utf8JsonWriter(output, s_options))
        {
            json.WriteStartObject();
            json.WriteString("@t", record.Timestamp);
            json.WriteString("@l", LevelNames.Name(record.Level));
            json.WriteString("@m", record.Message);
            json.WriteString("@mt", record.Template);
            if (record.Exception is { } x) json.WriteString("@x", x);
            if (record.HasTrace)
            {
                json.WriteString("@tr", record.TraceId.ToHexString());
                json.WriteString("@sp", record.SpanId.ToHexString());
            }
            json.WriteString("@c", record.Category);
            if (record.EventId != 0) json.WriteNumber("@i", record.EventId);
            if (record.EventName is { } en) json.WriteString("@en", en);
            foreach (var (name, value) in record.Properties)
            {
                json.WritePropertyName(name);
                WriteValue(json, value);
            }
            json.WriteEndObject();
        }
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }

    /// <summary>Writes <paramref name="record"/> as a text line: <c>2026-11-25T20:04:34.1230000Z [INF] Category: message</c>, then the exception lines, if any.</summary>
    public static void WriteTextLine(LogRecord record, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(output);
        var line = new StringBuilder(128);
        line.Append(record.Timestamp.ToString("O", CultureInfo.InvariantCulture)).Append(" [").Append(LevelNames.ShortName(record.Level)).Append("] ")
            .Append(record.Category).Append(": ").Append(Neutralise(record.Message));
        if (record.HasTrace) line.Append(" trace=").Append(record.TraceId.ToHexString()).Append(" span=").Append(record.SpanId.ToHexString());
        output.WriteLine(line.ToString());
        if (record.Exception is { } x)
        {
            foreach (var l in x.Split('\n')) output.WriteLine("    " + Neutralise(l.TrimEnd('\r')));
        }
    }

    /// <summary>Control characters (CR, LF, ESC...) cannot forge another line or drive a terminal.</summary>
    private static string Neutralise(string s)
    {
        if (!s.AsSpan().ContainsAnyInRange('\0', '\u001f') && !s.Contains('\u007f')) return s;
        var b = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            if (c < ' ' || c == '\u007f') b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else b.Append(c);
        }
        return b.ToString();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); return;
            case bool b: json.WriteBooleanValue(b); return;
            case long l: json.WriteNumberValue(l); return;
            case ulong u: json.WriteNumberValue(u); return;
            case float f:
                if (float.IsFinite(f)) json.WriteNumberValue(f);
                else json.WriteStringValue(NonFinite(f));
                return;
            case double d:
                if (double.IsFinite(d)) json.WriteNumberValue(d);
                else json.WriteStringValue(NonFinite(d));
                return;
            case decimal m: json.WriteNumberValue(m); return;
            case string s: json.WriteStringValue(s); return;
            case RawJsonValue raw: json.WriteRawValue(raw.Utf8.Span, skipInputValidation: true); return;
        }
        // DateTime, DateTimeOffset, TimeSpan, Guid: their text as the JSON formatter writes it.
        var scratch = new ArrayBufferWriter<byte>(64);
        var v = LogValue.FromObject(value);
        v.WriteUtf8(scratch, v.Kind is LogValueKind.DateTime or LogValueKind.DateTimeOffset ? "O" : default);
        json.WriteStringValue(scratch.WrittenSpan);
    }

    private static string NonFinite(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
}
