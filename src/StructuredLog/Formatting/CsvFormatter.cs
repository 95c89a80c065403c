using System.Buffers;
using System.Text.Json;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// CSV after RFC 4180, one event per line: <c>timestamp,level,category,message,template,exception,trace_id,span_id,properties</c>
/// (properties as a JSON object). Every field is quoted with doubled quotes; line breaks inside fields
/// are escaped (<c>\n</c>) so that an event is always one line. <see cref="Header"/> is the header row.
/// </summary>
public sealed class CsvFormatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_json;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>The header row (with its newline) that a file sink can write first.</summary>
    public static ReadOnlySpan<byte> Header => "timestamp,level,category,message,template,exception,trace_id,span_id,properties\n"u8;

    /// <summary>The shared instance.</summary>
    public static CsvFormatter Default { get; } = new();

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        var state = t_state ??= new CsvState();
        WriteTimestamp(output, state.Second, e.Record.TimestampTicks);
        LineEscaping.Byte(output, (byte)',');
        LineEscaping.Copy(output, LevelNames.Utf8(e.Level));
        state.Categories.Write(output, scratch, e.Category);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        Quoted(output, scratch.WrittenSpan);
        state.Templates.Write(output, scratch, e.Template.Text);
        if (e.Exception is { } ex) Field(output, scratch, JsonFormatter.ExceptionText(ex));
        else LineEscaping.Copy(output, EmptyField);
        if (e.HasTrace)
        {
            Field(output, scratch, e.TraceId.ToHexString());
            Field(output, scratch, e.SpanId.ToHexString());
        }
        else
        {
            LineEscaping.Copy(output, TwoEmptyFields);
        }

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

    private static ReadOnlySpan<byte> EmptyField => ",\"\""u8;
    private static ReadOnlySpan<byte> TwoEmptyFields => ",\"\",\"\""u8;

    /// <summary>The UTC time in the round-trip ("O") form, the second formatted once per thread.</summary>
    private static void WriteTimestamp(IBufferWriter<byte> output, UtcSecondText time, long ticks)
    {
        time.WriteRoundTrip(output.GetSpan(UtcSecondText.RoundTripLength), ticks);
        output.Advance(UtcSecondText.RoundTripLength);
    }

    private static void Field(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string value)
    {
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, value);
        Quoted(output, scratch.WrittenSpan);
    }

    /// <summary><c>,"value"</c>: quotes doubled, line breaks and controls escaped as <see cref="LineEscaping"/> does.</summary>
    private static void Quoted(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        bool escapes = LineEscaping.NeedsEscaping(value);
        int quotes = escapes ? -1 : value.Count((byte)'"');
        if (quotes >= 0)
        {
            // Nothing to escape (the usual case, JSON properties included): one copy, with the quotes doubled.
            var span = output.GetSpan(value.Length + quotes + 3);
            span[0] = (byte)',';
            span[1] = (byte)'"';
            int pos = 2;
            while (true)
            {
                int next = value.IndexOf((byte)'"');
                if (next < 0) break;
                value[..(next + 1)].CopyTo(span[pos..]);
                pos += next + 1;
                span[pos++] = (byte)'"';
                value = value[(next + 1)..];
            }
            value.CopyTo(span[pos..]);
            pos += value.Length;
            span[pos++] = (byte)'"';
            output.Advance(pos);
            return;
        }
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

    [ThreadStatic] private static CsvState? t_state;

    /// <summary>Per-thread caches: the current second's text, and the quoted fields of categories and templates.</summary>
    private sealed class CsvState
    {
        public readonly UtcSecondText Second = new();
        public readonly QuotedFields Categories = new();
        public readonly QuotedFields Templates = new();
    }

    /// <summary>
    /// The <c>,"text"</c> bytes of strings that come back by reference (a logger's category, a template's text):
    /// made once per string and thread, the last one checked first; past <see cref="MaxCached"/> strings, written
    /// each time instead of kept.
    /// </summary>
    private sealed class QuotedFields
    {
        private const int MaxCached = 4096;
        private readonly Dictionary<string, byte[]> _bytes = new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        private string? _last;
        private byte[] _lastBytes = [];

        public void Write(IBufferWriter<byte> output, ArrayBufferWriter<byte> scratch, string text)
        {
            if (!ReferenceEquals(text, _last))
            {
                if (!_bytes.TryGetValue(text, out var bytes))
                {
                    if (_bytes.Count >= MaxCached || text.Length > 1024)
                    {
                        Field(output, scratch, text);
                        return;
                    }
                    var made = new ArrayBufferWriter<byte>(text.Length + 8);
                    Field(made, scratch, text);
                    bytes = made.WrittenSpan.ToArray();
                    _bytes[text] = bytes;
                }
                _last = text;
                _lastBytes = bytes;
            }
            LineEscaping.Copy(output, _lastBytes);
        }
    }
}
