using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace StructuredLog.Sinks.File.Tests.Support;

/// <summary>Reads a rolled set back: every file in order, decompressed, as lines.</summary>
public static class FileSetReader
{
    public static Stream OpenDecompressed(RolledFile file)
    {
        var raw = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return file.Compression switch
        {
            RolledFileCompression.Gzip => new GZipStream(raw, CompressionMode.Decompress),
            RolledFileCompression.Zstd => new ZstdSharp.DecompressionStream(raw),
            _ => raw,
        };
    }

    public static List<string> ReadLines(RolledFile file)
    {
        using var s = OpenDecompressed(file);
        using var r = new StreamReader(s, Encoding.UTF8);
        var lines = new List<string>();
        while (r.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    public static List<string> ReadAllLines(string path) => new RolledFileSet(path).Find().SelectMany(ReadLines).ToList();

    /// <summary>Every line must be one JSON object; returns them parsed.</summary>
    public static List<JsonElement> ParseAll(IEnumerable<string> lines) =>
        lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}
