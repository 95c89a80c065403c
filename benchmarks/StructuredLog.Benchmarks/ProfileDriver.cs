using System.Diagnostics;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>profile [--library X] [--workload Plain] [--events 1000000] [--repeat 5]</c>: runs the end-to-end
/// workload outside BenchmarkDotNet, printing events/s and whole-process bytes allocated per event
/// (<see cref="GC.GetTotalAllocatedBytes"/>) for each repetition. Meant to run under a profiler
/// (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>).
/// </summary>
public static class ProfileDriver
{
    public static int Run(string[] args)
    {
        var library = Enum.Parse<Library>(Arg(args, "--library") ?? "StructuredLog", ignoreCase: true);
        var workload = Enum.Parse<Workload>(Arg(args, "--workload") ?? "Plain", ignoreCase: true);
        int events = int.Parse(Arg(args, "--events") ?? "1000000");
        int repeat = int.Parse(Arg(args, "--repeat") ?? "5");
        Console.WriteLine($"# {library} {workload}, {events:N0} events x {repeat}, load {LatencyHarness.LoadAverage()}");
        for (int r = 0; r < repeat; r++)
        {
            var path = Path.Combine(Path.GetTempPath(), $"sl-profile-{Environment.ProcessId}-{r}.jsonl");
            var peer = Peer.Create(library, path);
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            peer.EndToEnd(events, workload);
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            sw.Stop();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            long bytes = new FileInfo(path).Length;
            File.Delete(path);
            Console.WriteLine($"{library} {workload}: {events / sw.Elapsed.TotalSeconds / 1e6:F2} M events/s, {allocated / (double)events:F1} B allocated/event, {bytes / (double)events:F0} B/event in the file");
        }
        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
