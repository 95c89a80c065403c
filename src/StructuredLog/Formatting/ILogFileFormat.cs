namespace StructuredLog.Formatting;

/// <summary>
/// Implemented by a formatter whose output in a file needs more than the event's bytes appended one
/// after the other: a header at the start of each file, per-file state (a binary format that writes each
/// template once per file), or its own rule for finding the intact part of a file after a crash.
/// File sinks look for it; every other sink uses the formatter's per-event bytes, which stand alone.
/// Formats that do not implement it are treated as lines: a file's intact part ends after its last <c>\n</c>.
/// </summary>
public interface ILogFileFormat
{
    /// <summary>Starts writing one file. Called for a new, empty file and when appending to an existing one.</summary>
    ILogFileEncoder StartFile();

    /// <summary>
    /// Returns the length of the longest prefix of <paramref name="file"/> (positioned at 0) that holds only
    /// complete records; the rest is a torn tail left by a crash. Must not throw on garbage.
    /// </summary>
    long MeasureIntactLength(Stream file);
}
