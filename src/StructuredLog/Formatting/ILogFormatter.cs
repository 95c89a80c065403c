using System.Buffers;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Turns an event into bytes (UTF-8 for the text formats). Formatters run once per event however many
/// sinks share them, on the writer thread unless they declare <see cref="SupportsConcurrentFormatting"/>;
/// they write straight into the output buffer and end each event with its record separator (a newline
/// for the line formats).
/// </summary>
public interface ILogFormatter
{
    /// <summary>Writes <paramref name="logEvent"/> to <paramref name="output"/>.</summary>
    void Format(in LogEvent logEvent, IBufferWriter<byte> output);

    /// <summary>
    /// True when <see cref="Format"/> may run on two threads at once, for different events and outputs.
    /// The pipeline then lets a second thread format events for the batching sinks that use this formatter
    /// while the writer reads the ring (<see cref="LogPipelineBuilder.ParallelFormatting"/>). Default
    /// false: the formatter runs on the writer thread only.
    /// </summary>
    bool SupportsConcurrentFormatting => false;
}
