using System.Globalization;
using System.Text.RegularExpressions;

namespace StructuredLog.Cli;

/// <summary>Orders files of rolled sets oldest first: by base name, period, sequence (whatever order the shell expanded them in).</summary>
internal static partial class LogFileOrder
{
    [GeneratedRegex(@"^(?<base>.*?)(?:-(?<period>\d{8}|\d{10}))?(?:\.(?<seq>\d{3,9}))?(?<ext>\.[^.]*)?(?:\.gz|\.zst)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    public static List<string> Sort(IEnumerable<string> paths) =>
        paths.Select(p => (Path: p, Key: KeyOf(p)))
            .OrderBy(x => x.Key.Dir, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Base, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Period, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Seq)
            .Select(x => x.Path)
            .ToList();

    /// <summary>The configured path of the set a file belongs to (<c>logs/app-20261125.003.log.gz</c> → <c>logs/app.log</c>).</summary>
    public static string SetPathOf(string path)
    {
        var key = KeyOf(path);
        return Path.Combine(key.Dir, key.Base);
    }

    private static (string Dir, string Base, string Period, int Seq) KeyOf(string path)
    {
        var full = Path.GetFullPath(path);
        var m = Name().Match(Path.GetFileName(full));
        string dir = Path.GetDirectoryName(full) ?? "";
        if (!m.Success) return (dir, Path.GetFileName(full), "", 0);
        int seq = m.Groups["seq"].Success ? int.Parse(m.Groups["seq"].ValueSpan, CultureInfo.InvariantCulture) : 0;
        return (dir, m.Groups["base"].Value + m.Groups["ext"].Value, m.Groups["period"].Value, seq);
    }
}
