using System.Buffers;

namespace StructuredLog.Formatting;

/// <summary>The per-file state of an <see cref="ILogFileFormat"/>: one instance per file, used by one thread.</summary>
public interface ILogFileEncoder
{
    /// <summary>Writes the bytes that open a new, empty file (may write nothing).</summary>
    void WriteHeader(IBufferWriter<byte> output);

    /// <summary>Writes one event, given as the formatter's per-event bytes, in the form this file needs.</summary>
    void Append(ReadOnlySpan<byte> payload, IBufferWriter<byte> output);
}
