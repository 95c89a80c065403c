using System.Globalization;
using System.Text.RegularExpressions;

namespace StructuredLog.Sinks.File;

/// <summary>
/// The naming scheme of a rolled file set. For the path <c>logs/app.log</c> the files are
/// <c>app[-PERIOD][.SEQ].log[.gz|.zst]</c>: PERIOD is <c>yyyyMMdd</c> (daily) or <c>yyyyMMddHH</c> (hourly),
/// SEQ a three-digit sequence number from 001 when a period needs more than one file. Files are never
/// renamed while written: rolling starts the next name, so readers and other processes can follow.
/// </summary>
public sealed class RolledFileSet
{
    private readonly Regex _pattern;

    /// <summary>Creates the scheme for <paramref name="path"/>.</summary>
    public RolledFileSet(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        Directory = System.IO.Path.GetDirectoryName(full) ?? System.IO.Path.GetPathRoot(full) ?? "/";
        Extension = System.IO.Path.GetExtension(full);
        BaseName = System.IO.Path.GetFileNameWithoutExtension(full);
        if (BaseName.Length == 0) throw new ArgumentException($"The path '{path}' has no file name", nameof(path));
        _pattern = new Regex(
            "^" + Regex.Escape(BaseName) + @"(?:-(\d{8}|\d{10}))?(?:\.(\d{3,9}))?" + Regex.Escape(Extension) + @"(\.gz|\.zst)?$",
            RegexOptions.CultureInvariant);
    }

    /// <summary>The directory of the set.</summary>
    public string Directory { get; }

    /// <summary>The file name without extension (<c>app</c>).</summary>
    public string BaseName { get; }

    /// <summary>The extension, with its dot (<c>.log</c>), possibly empty.</summary>
    public string Extension { get; }

    /// <summary>The period text of <paramref name="time"/> for <paramref name="interval"/> (empty for <see cref="RollingInterval.None"/>).</summary>
    public static string PeriodOf(DateTime time, RollingInterval interval) => interval switch
    {
        RollingInterval.Day => time.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
        RollingInterval.Hour => time.ToString("yyyyMMddHH", CultureInfo.InvariantCulture),
        _ => "",
    };

    /// <summary>The full path of the uncompressed file for <paramref name="period"/> and <paramref name="sequence"/>.</summary>
    public string PathOf(string period, int sequence)
    {
        string name = BaseName
            + (period.Length > 0 ? "-" + period : "")
            + (sequence > 0 ? "." + sequence.ToString("D3", CultureInfo.InvariantCulture) : "")
            + Extension;
        return System.IO.Path.Combine(Directory, name);
    }

    /// <summary>Parses a file name (not a path) of this set.</summary>
    public bool TryParse(string fileName, out RolledFile file)
    {
        var m = _pattern.Match(fileName);
        if (!m.Success)
        {
            file = default;
            return false;
        }
        int seq = m.Groups[2].Success ? int.Parse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        var compression = m.Groups[3].Value switch
        {
            ".gz" => RolledFileCompression.Gzip,
            ".zst" => RolledFileCompression.Zstd,
            _ => RolledFileCompression.None,
        };
        file = new RolledFile(System.IO.Path.Combine(Directory, fileName), m.Groups[1].Value, seq, compression);
        return true;
    }

    /// <summary>The files of the set on disk, oldest first. A file present both plain and compressed (compression under way) is listed once, plain.</summary>
    public IReadOnlyList<RolledFile> Find()
    {
        var files = new List<RolledFile>();
        if (!System.IO.Directory.Exists(Directory)) return files;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            if (TryParse(System.IO.Path.GetFileName(path), out var f)) files.Add(f);
        }
        files.Sort(RolledFile.CompareOrder);
        for (int i = files.Count - 1; i > 0; i--)
        {
            if (files[i].Period == files[i - 1].Period && files[i].Sequence == files[i - 1].Sequence) files.RemoveAt(i);
        }
        return files;
    }
}
