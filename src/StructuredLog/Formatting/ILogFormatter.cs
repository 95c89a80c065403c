using System.Buffers;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Turns an event into bytes (UTF-8 for the text formats). Formatters run on the writer thread, once
/// per event however many sinks share them; they write straight into the output buffer and
/// end each event with its record separator (a newline for the line formats).
/// </summary>
public interface ILogFormatter
{
    /// <summary>Writes <paramref name="logEvent"/> to <paramref name="output"/>.</summary>
    void Format(in LogEvent logEvent, IBufferWriter<byte> output);
}
