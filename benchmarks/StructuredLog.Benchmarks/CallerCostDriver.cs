using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>callercost [--bursts 300] [--collect]</c>: the <see cref="CoreBenchmarks"/> cases outside BenchmarkDotNet, for
/// quick iteration on the calling thread's code: bursts of <see cref="CoreBenchmarks.Burst"/> calls,
/// the ring drained (untimed) before each burst, median and p10/p90 ns per call over the bursts.
/// Use BenchmarkDotNet (<c>quick core</c>) for the figures that are published.
/// </summary>
public static class CallerCostDriver
{
    private static bool s_collect;

    public static int Run(string[] args)
    {
        s_collect = Array.IndexOf(args, "--collect") >= 0; // as BenchmarkDotNet does between iterations
        int i = Array.IndexOf(args, "--bursts");
        int bursts = i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : 300;
        var core = new CoreBenchmarks();
        core.Setup();
        try
        {
            Console.WriteLine($"# {bursts} bursts of {CoreBenchmarks.Burst} calls, load {LatencyHarness.LoadAverage()}");
            Report("Disabled, template (x4096)", bursts, core, () => { for (int k = 0; k < CoreBenchmarks.Burst; k++) core.DisabledTemplate(); }, drain: false);
            Report("Disabled, interpolated (x4096)", bursts, core, () => { for (int k = 0; k < CoreBenchmarks.Burst; k++) core.DisabledInterpolated(); }, drain: false);
            Report("Enabled 3 args, template", bursts, core, core.EnabledTemplate, drain: true);
            Report("Enabled 3 args, interpolated", bursts, core, core.EnabledInterpolated, drain: true);
            Report("Enabled 3 args, template, coarse clock", bursts, core, core.EnabledTemplateCoarse, drain: true);
            Report("Enabled 3 args, interpolated, coarse clock", bursts, core, core.EnabledInterpolatedCoarse, drain: true);
        }
        finally
        {
            core.Cleanup();
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Report(string name, int bursts, CoreBenchmarks core, Action burst, bool drain)
    {
        // Warm up to tier 1 first: the measured bursts take only milliseconds, less than the runtime's
        // tiering delay, so without this the disabled cases were timed in tier-0 code (16 ns instead of 2).
        for (int w = 0; w < 40; w++)
        {
            if (drain) core.Drain();
            burst();
            if (w % 10 == 9) Thread.Sleep(150);
        }
        var ns = new double[bursts];
        int gcs = GC.CollectionCount(0);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int b = 0; b < bursts; b++)
        {
            if (drain) core.Drain();
            if (s_collect) { GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect(); }
            long t0 = Stopwatch.GetTimestamp();
            burst();
            ns[b] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / CoreBenchmarks.Burst;
        }
        if (Environment.GetEnvironmentVariable("CALLERCOST_SLOW") is { } slow)
        {
            double limit = double.Parse(slow, System.Globalization.CultureInfo.InvariantCulture);
            var slowOnes = Enumerable.Range(0, bursts).Where(b => ns[b] > limit).Select(b => $"{b}:{ns[b]:F0}");
            Console.WriteLine($"  bursts slower than {limit} ns/call: {string.Join(" ", slowOnes)}");
        }
        Array.Sort(ns);
        Console.WriteLine($"{name,-45} median {ns[bursts / 2],7:F2} ns   p10 {ns[bursts / 10],7:F2}   p90 {ns[bursts * 9 / 10],7:F2}   p99 {ns[bursts * 99 / 100],7:F2}   max {ns[^1],8:F2}   gen0 GCs {GC.CollectionCount(0) - gcs}   process B/call {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)bursts / CoreBenchmarks.Burst:F3}");
    }
}
