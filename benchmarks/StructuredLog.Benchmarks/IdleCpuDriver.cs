using System.Diagnostics;
using System.Globalization;
using StructuredLog.Sinks;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>idlecpu [--interval-ms 20] [--warmup-s 6] [--seconds 5] [--no-log]</c>: the CPU a quiet application pays for
/// logging: one event every <c>interval</c> ms into the default pipeline (JSON to <see cref="Stream.Null"/>),
/// measured as the whole process's CPU time over <c>seconds</c>, after a warm-up long enough for tiered
/// compilation to finish. <c>--no-log</c> runs the same loop without the log call (the process's own floor).
/// Results: docs/benchmarks-history.md, "CPU of a quiet application".
/// </summary>
public static class IdleCpuDriver
{
    public static int Run(string[] args)
    {
        int intervalMs = int.Parse(CommandLine.Value(args, "--interval-ms") ?? "20", CultureInfo.InvariantCulture);
        double warmupS = double.Parse(CommandLine.Value(args, "--warmup-s") ?? "6", CultureInfo.InvariantCulture);
        double seconds = double.Parse(CommandLine.Value(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        bool log = Array.IndexOf(args, "--no-log") < 0;
        using var pipeline = new LogPipelineBuilder().WriteTo(new StreamSink(Stream.Null)).FlushOnProcessExit(false).Build();
        var logger = pipeline.GetLogger("Benchmarks.Idle");
        int n = 0;
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < warmupS)
        {
            if (log) logger.Info("Tick {N} of a quiet service", n++);
            Thread.Sleep(intervalMs);
        }
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        int events = 0;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            if (log) logger.Info("Tick {N} of a quiet service", n++);
            events++;
            Thread.Sleep(intervalMs);
        }
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        Console.WriteLine($"one {(log ? "event" : "loop without logging")} every {intervalMs} ms: {events} in {sw.Elapsed.TotalSeconds:F1} s, " +
                          $"process CPU {cpu.TotalMilliseconds:F0} ms = {cpu.TotalMilliseconds / sw.Elapsed.TotalMilliseconds * 100:F2} % of one core, load {LatencyHarness.LoadAverage()}");
        return 0;
    }
}
