using System.Diagnostics;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// Caller latency distribution (not BenchmarkDotNet): <c>producers</c> threads each log
/// <c>events</c> enabled 3-argument calls into a library whose background side drains to a counting
/// null target, timing every call with <see cref="Stopwatch.GetTimestamp"/>. Producers log in bursts of
/// <see cref="BurstPerThread"/> calls and sleep 1 ms between bursts, so the load stays below every
/// queue's capacity and what is measured is the call, not backpressure. Reports p50/p90/p99/p99.9/max.
/// </summary>
public static class LatencyHarness
{
    public const int BurstPerThread = 100;

    public static int Run(string[] args)
    {
        int producers = IntArg(args, "--producers", 4);
        int events = IntArg(args, "--events", 100_000);
        var libraries = CommandLine.Value(args, "--library") is { } one ? [Enum.Parse<Library>(one, ignoreCase: true)] : Enum.GetValues<Library>();

        double overheadNs = TimerOverheadNs();
        Console.WriteLine($"# Caller latency, {producers} producers x {events:N0} events, bursts of {BurstPerThread} then 1 ms sleep, null targets");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, load {LoadAverage()}, timer overhead {overheadNs:F1} ns (included in the figures below)");
        Console.WriteLine("| Library | p50 ns | p90 ns | p99 ns | p99.9 ns | max ns | events | first call of a burst, p50 ns | other calls, p99.9 ns |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var library in libraries)
        {
            var result = Measure(library, producers, events);
            Console.WriteLine($"| {library} | {result.P50:F0} | {result.P90:F0} | {result.P99:F0} | {result.P999:F0} | {result.Max:F0} | {result.Count:N0} | {result.FirstP50:F0} | {result.WarmP999:F0} |");
        }
        return 0;
    }

    /// <summary>Percentiles over every call; <paramref name="FirstP50"/> is the median of the first call of each burst (after the 1 ms sleep), <paramref name="WarmP999"/> the p99.9 of the others.</summary>
    public readonly record struct Percentiles(double P50, double P90, double P99, double P999, double Max, long Count, double FirstP50, double WarmP999);

    /// <summary>Measures one library (also used by the smoke test with a small count).</summary>
    public static Percentiles Measure(Library library, int producers, int eventsPerProducer)
    {
        var peer = Peer.Create(library, path: null);
        try
        {
            // Warm up: JIT, tiering, pools.
            for (int i = 0; i < 20; i++)
            {
                peer.EnabledBurst(1000);
                peer.WaitDelivered(TimeSpan.FromSeconds(60));
            }
            var samples = new long[producers][];
            var threads = new Thread[producers];
            using var go = new ManualResetEventSlim(false);
            for (int t = 0; t < producers; t++)
            {
                int index = t;
                samples[t] = new long[eventsPerProducer];
                threads[t] = new Thread(() =>
                {
                    var mine = samples[index];
                    go.Wait();
                    int done = 0;
                    while (done < mine.Length)
                    {
                        int n = Math.Min(BurstPerThread, mine.Length - done);
                        for (int k = 0; k < n; k++)
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            peer.LogOne(done + k);
                            mine[done + k] = Stopwatch.GetTimestamp() - t0;
                        }
                        done += n;
                        Thread.Sleep(1);
                    }
                }) { IsBackground = true, Name = $"latency producer {t}" };
                threads[t].Start();
            }
            go.Set();
            foreach (var th in threads) th.Join();
            peer.AddSent((long)producers * eventsPerProducer);
            peer.WaitDelivered(TimeSpan.FromSeconds(120));

            var all = samples.SelectMany(s => s).ToArray();
            // The first call of each burst follows a 1 ms sleep: caches and TLB entries went cold meanwhile.
            var first = samples.SelectMany(s => s.Where((_, i) => i % BurstPerThread == 0)).ToArray();
            var warm = samples.SelectMany(s => s.Where((_, i) => i % BurstPerThread != 0)).ToArray();
            Array.Sort(all);
            Array.Sort(first);
            Array.Sort(warm);
            double toNs = 1e9 / Stopwatch.Frequency;
            static double At(long[] sorted, double q, double toNs) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * toNs;
            return new Percentiles(At(all, 0.50, toNs), At(all, 0.90, toNs), At(all, 0.99, toNs), At(all, 0.999, toNs), all[^1] * toNs, all.Length,
                At(first, 0.50, toNs), At(warm, 0.999, toNs));
        }
        finally
        {
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static double TimerOverheadNs()
    {
        const int n = 1_000_000;
        var d = new long[n];
        for (int i = 0; i < n; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            d[i] = Stopwatch.GetTimestamp() - t0;
        }
        Array.Sort(d);
        return d[n / 2] * 1e9 / Stopwatch.Frequency;
    }

    internal static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Trim(); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        CommandLine.Value(args, name) is { } value ? int.Parse(value) : fallback;
}
