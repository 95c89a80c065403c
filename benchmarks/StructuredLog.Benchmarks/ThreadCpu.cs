namespace StructuredLog.Benchmarks;

/// <summary>
/// CPU time of this process's threads, summed by thread name (Linux: <c>/proc/self/task/*/schedstat</c>,
/// nanoseconds on the CPU; names as the kernel keeps them, cut to 15 characters). A thread that has
/// ended is missing from later snapshots: take the second snapshot while the threads measured still
/// run. Empty where <c>/proc</c> is not available.
/// </summary>
public static class ThreadCpu
{
    /// <summary>Nanoseconds on the CPU so far, by thread name.</summary>
    public static Dictionary<string, long> Snapshot()
    {
        var result = new Dictionary<string, long>();
        const string root = "/proc/self/task";
        if (!Directory.Exists(root)) return result;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                string schedstat = File.ReadAllText(Path.Combine(dir, "schedstat"));
                int space = schedstat.IndexOf(' ');
                long ns = long.Parse(space < 0 ? schedstat : schedstat[..space], System.Globalization.CultureInfo.InvariantCulture);
                result[name] = result.GetValueOrDefault(name) + ns;
            }
            catch (IOException)
            {
                // The thread ended while it was being read.
            }
        }
        return result;
    }

    /// <summary>
    /// "name 123, name 45" in nanoseconds per event: the CPU each thread name used between the snapshots,
    /// divided by <paramref name="events"/>, largest first, omitting names under 1 ns per event.
    /// </summary>
    public static string PerEvent(Dictionary<string, long> before, Dictionary<string, long> after, long events) =>
        string.Join(", ", after
            .Select(kv => (Name: kv.Key, Ns: (kv.Value - before.GetValueOrDefault(kv.Key)) / (double)events))
            .Where(x => x.Ns >= 1)
            .OrderByDescending(x => x.Ns)
            .Select(x => $"{x.Name.Trim()} {x.Ns:F0}"));
}
