using System.Buffers;
using System.Text.Json;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>Writes a minimal, valid JSON line for an event whose formatter threw, so the event is not lost.</summary>
internal static class FormatterFailure
{
    public static void Write(in LogEvent e, ILogFormatter formatter, Exception error, IBufferWriter<byte> output)
    {
        try
        {
            using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JsonFormatter.Encoder });
            json.WriteStartObject();
            json.WriteString("@t", e.Timestamp);
            json.WriteString("@l", e.Level.ToString());
            json.WriteString("@mt", e.Template.Text);
            json.WriteString("@formatter_error", formatter.GetType().Name + ": " + error.GetType().Name);
            json.WriteEndObject();
            json.Flush();
        }
        catch (Exception)
        {
            LogValue.Ascii(output, "{\"@formatter_error\":\"unrecoverable\"}");
        }
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}
