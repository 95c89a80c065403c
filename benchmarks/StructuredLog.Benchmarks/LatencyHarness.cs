using System.Diagnostics;
using System.Runtime.CompilerServices;
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
        // "--library Empty" times an empty call in the same threads and bursts: the harness's own floor on this machine
        // ("--lines K": the call writes K cache lines of its own).
        string? only = CommandLine.Value(args, "--library");
        int lines = IntArg(args, "--lines", 0);
        s_byPosition = args.Contains("--by-position");
        // "--clock precise": the empty call also reads the precise clock (one rdtsc through its own code page, where
        // available); "--clock stopwatch": Stopwatch.GetTimestamp. What a timestamp adds to a call that comes back cold.
        s_clock = CommandLine.Value(args, "--clock") switch
        {
            null => 0,
            "precise" => 1,
            "stopwatch" => 2,
            var other => throw new ArgumentException($"--clock {other}: expected precise or stopwatch"),
        };
        bool empty = string.Equals(only, EmptyName, StringComparison.OrdinalIgnoreCase);
        var libraries = empty ? [] : only is not null ? [Enum.Parse<Library>(only, ignoreCase: true)] : Enum.GetValues<Library>();

        double overheadNs = TimerOverheadNs();
        Console.WriteLine($"# Caller latency, {producers} producers x {events:N0} events, bursts of {BurstPerThread} then 1 ms sleep, null targets");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, load {LoadAverage()}, timer overhead {overheadNs:F1} ns (included in the figures below)");
        Console.WriteLine("| Library | p50 ns | p90 ns | p99 ns | p99.9 ns | max ns | events | first call of a burst, p50 ns | other calls, p99.9 ns |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        string clockName = s_clock switch { 1 => "+precise clock", 2 => "+stopwatch", _ => "" };
        if (empty) Print((lines == 0 ? EmptyName : $"{EmptyName}+{lines} lines") + clockName, MeasureEmpty(producers, events, lines));
        foreach (var library in libraries) Print(library.ToString(), Measure(library, producers, events));
        return 0;
    }

    /// <summary>The name that selects the empty call (<see cref="MeasureEmpty"/>) instead of a library.</summary>
    public const string EmptyName = "Empty";

    private static void Print(string name, Percentiles r) =>
        Console.WriteLine($"| {name} | {r.P50:F0} | {r.P90:F0} | {r.P99:F0} | {r.P999:F0} | {r.Max:F0} | {r.Count:N0} | {r.FirstP50:F0} | {r.WarmP999:F0} |");

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
            var result = Time(peer, producers, eventsPerProducer);
            peer.AddSent((long)producers * eventsPerProducer);
            peer.WaitDelivered(TimeSpan.FromSeconds(120));
            return result;
        }
        finally
        {
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The same threads, bursts and sleeps around a call that does nothing (not inlined): what the harness itself reads on
    /// this machine, above all for the first call of a burst, which comes back from a 1 ms sleep.
    /// </summary>
    /// <remarks>
    /// With <paramref name="lines"/> &gt; 0 the call increments one byte in each of that many cache lines of a 16 MB array of
    /// its thread's (the same lines on every call, each in a page of its own, in a shuffled order so that the prefetchers
    /// do not fetch them ahead): what touching a call's working set costs when it has gone cold during the sleep.
    /// </remarks>
    public static Percentiles MeasureEmpty(int producers, int eventsPerProducer, int lines = 0)
    {
        s_offsets = Enumerable.Range(0, TouchBytes / 4096).OrderBy(_ => Random.Shared.Next()).Take(lines)
            .Select(page => page * 4096 + Random.Shared.Next(64) * 64).ToArray();
        for (int i = 0; i < 20_000; i++) Nothing(i); // tier-1 code, as the libraries' calls after their warm-up
        return Time(null, producers, eventsPerProducer);
    }

    private const int TouchBytes = 16 << 20;
    private static int[] s_offsets = [];
    private static int s_clock; // 0 none, 1 precise, 2 stopwatch
    [ThreadStatic] private static byte[]? t_memory;
    [ThreadStatic] private static long t_stamp;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Nothing(int i)
    {
        if (s_clock != 0) t_stamp = s_clock == 1 ? StructuredLog.Pipeline.PreciseClock.Now() : Stopwatch.GetTimestamp();
        var offsets = s_offsets;
        if (offsets.Length == 0) return;
        var memory = t_memory ??= new byte[TouchBytes];
        foreach (int offset in offsets) memory[offset]++;
    }

    /// <summary>Print p50 and p90 by the call's index in its burst (--by-position).</summary>
    private static bool s_byPosition;

    /// <summary>
    /// <paramref name="producers"/> threads each time <paramref name="eventsPerProducer"/> calls of <paramref name="peer"/>'s
    /// <see cref="Peer.LogOne"/> (null: the empty call), in bursts with 1 ms sleeps.
    /// </summary>
    private static Percentiles Time(Peer? peer, int producers, int eventsPerProducer)
    {
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
                        if (peer is null) Nothing(done + k);
                        else peer.LogOne(done + k);
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

        if (s_byPosition)
        {
            var line = new System.Text.StringBuilder("# p50/p90 ns by the call's index in its burst:");
            foreach (int k in new[] { 0, 1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64, 99 })
            {
                var at = samples.SelectMany(s => s.Where((_, i) => i % BurstPerThread == k)).Order().ToArray();
                if (at.Length == 0) continue;
                line.Append($" {k}:{at[at.Length / 2] * 1e9 / Stopwatch.Frequency:F0}/{at[at.Length * 9 / 10] * 1e9 / Stopwatch.Frequency:F0}");
            }
            Console.WriteLine(line);
        }
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
