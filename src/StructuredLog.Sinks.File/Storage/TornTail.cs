using StructuredLog.Formatting;

namespace StructuredLog.Sinks.File.Storage;

/// <summary>Finds the intact part of a file a crash may have cut mid-record.</summary>
internal static class TornTail
{
    /// <summary>The length of the prefix of <paramref name="file"/> that holds only complete records of <paramref name="formatter"/>'s format.</summary>
    public static long MeasureIntactLength(FileStream file, ILogFormatter formatter)
    {
        if (file.Length == 0) return 0;
        if (formatter is ILogFileFormat format)
        {
            file.Position = 0;
            long n = format.MeasureIntactLength(file);
            return Math.Clamp(n, 0, file.Length);
        }
        return AfterLastNewline(file);
    }

    /// <summary>Line formats: everything up to and including the last <c>\n</c>.</summary>
    public static long AfterLastNewline(FileStream file)
    {
        const int Chunk = 64 * 1024;
        var buffer = new byte[Chunk];
        long end = file.Length;
        while (end > 0)
        {
            int size = (int)Math.Min(Chunk, end);
            long start = end - size;
            int read = RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(0, size), start);
            int nl = buffer.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (nl >= 0) return start + nl + 1;
            end = start;
        }
        return 0;
    }
}
