namespace StructuredLog.Sinks.File;

/// <summary>One file of a rolled set: its path, period (<c>20261125</c>, or empty without time rolling), sequence and compression.</summary>
/// <param name="Path">The full path.</param>
/// <param name="Period">The period part of the name, or an empty string.</param>
/// <param name="Sequence">The sequence number within the period (0 for the first file).</param>
/// <param name="Compression">How the file is compressed, from its extension.</param>
public readonly record struct RolledFile(string Path, string Period, int Sequence, RolledFileCompression Compression)
{
    /// <summary>Orders files oldest first: by period, then sequence, then uncompressed before compressed.</summary>
    public static int CompareOrder(RolledFile a, RolledFile b)
    {
        int c = string.CompareOrdinal(a.Period, b.Period);
        if (c != 0) return c;
        c = a.Sequence.CompareTo(b.Sequence);
        return c != 0 ? c : a.Compression.CompareTo(b.Compression);
    }
}
