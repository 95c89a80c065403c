using System.Diagnostics;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>profile [--library X] [--workload Plain] [--events 1000000] [--repeat 5] [--alloc] [--steady] [--threads] [--phases]</c>: runs the end-to-end
/// workload outside BenchmarkDotNet, printing events/s and whole-process bytes allocated per event
/// (<see cref="GC.GetTotalAllocatedBytes"/>) for each repetition, with <c>--threads</c> the CPU each
/// thread used per event (<see cref="ThreadCpu"/>), and with <c>--phases</c> the wall and CPU time of the burst (the
/// calls) and of the tail (flush and disposal) apart, with how many cores each kept busy. Meant to run under a profiler too
/// (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>).
/// </summary>
public static class ProfileDriver
{
    public static int Run(string[] args)
    {
        var library = Enum.Parse<Library>(CommandLine.Value(args, "--library") ?? "StructuredLog", ignoreCase: true);
        var workload = Enum.Parse<Workload>(CommandLine.Value(args, "--workload") ?? "Plain", ignoreCase: true);
        int events = int.Parse(CommandLine.Value(args, "--events") ?? "1000000");
        int repeat = int.Parse(CommandLine.Value(args, "--repeat") ?? "5");
        bool byThread = args.Contains("--threads");
        bool phases = args.Contains("--phases");
        using var sampler = args.Contains("--alloc") ? new AllocationSampler() : null;
        if (args.Contains("--steady"))
        {
            using var steadySampler = args.Contains("--alloc") ? new AllocationSampler() : null;
            int rc = Steady(library, workload, events, repeat, byThread);
            if (steadySampler is not null) PrintSamples(steadySampler);
            return rc;
        }
        Console.WriteLine($"# {library} {workload}, {events:N0} events x {repeat}, load {LatencyHarness.LoadAverage()}");
        for (int r = 0; r < repeat; r++)
        {
            var path = Path.Combine(Path.GetTempPath(), $"sl-profile-{Environment.ProcessId}-{r}.jsonl");
            var peer = Peer.Create(library, path);
            // As BenchmarkDotNet's iterations may find the process (docs/benchmarks-history.md, "Session 23"): after a full
            // collection (SL_PROFILE_GC=1), or after a pause in which the library's threads go idle (SL_PROFILE_SLEEP=ms).
            if (Environment.GetEnvironmentVariable("SL_PROFILE_GC") == "1") { GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect(); }
            if (int.TryParse(Environment.GetEnvironmentVariable("SL_PROFILE_SLEEP"), out int pauseMs) && pauseMs > 0) Thread.Sleep(pauseMs);
            var threads = byThread ? ThreadCpu.Snapshot() : null;
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            peer.EndToEnd(events, workload);
            // Read only with --phases: reading the process's CPU time (/proc) inside the timed window costs time of its own.
            var burstWall = sw.Elapsed;
            var burstCpu = phases ? Process.GetCurrentProcess().TotalProcessorTime - cpu : TimeSpan.Zero;
            Dictionary<string, long>? threadsAfter = null;
            if (byThread)
            {
                // Flushed before disposal (which flushes anyway) so that the library's threads are still there to be
                // read; the snapshot's own few KB count in the allocation figure of this repetition.
                peer.FlushAsync().GetAwaiter().GetResult();
                threadsAfter = ThreadCpu.Snapshot();
            }
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            sw.Stop();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            long bytes = new FileInfo(path).Length;
            File.Delete(path);
            Console.WriteLine($"{library} {workload}: {events / sw.Elapsed.TotalSeconds / 1e6:F2} M events/s, {cpu.TotalNanoseconds / events:F0} ns CPU/event (all threads), {allocated / (double)events:F1} B allocated/event, {bytes / (double)events:F0} B/event in the file");
            if (byThread) Console.WriteLine($"  ns CPU/event by thread: {ThreadCpu.PerEvent(threads!, threadsAfter!, events)}");
            if (phases)
            {
                var tailWall = sw.Elapsed - burstWall;
                var tailCpu = cpu - burstCpu;
                Console.WriteLine($"  burst {burstWall.TotalMilliseconds:F1} ms, CPU {burstCpu.TotalMilliseconds:F1} ms ({burstCpu / burstWall:F2} cores busy); tail {tailWall.TotalMilliseconds:F1} ms, CPU {tailCpu.TotalMilliseconds:F1} ms ({tailCpu / tailWall:F2} cores busy)");
            }
        }
        if (sampler is not null)
        {
            PrintSamples(sampler);
        }
        return 0;
    }

    /// <summary>
    /// Steady state: one logger for the whole run; after a warm-up of <paramref name="events"/> events,
    /// each repetition logs <paramref name="events"/> more and waits for the flush, measuring whole-process
    /// allocation over that window only (no per-logger setup inside it).
    /// </summary>
    private static int Steady(Library library, Workload workload, int events, int repeat, bool byThread)
    {
        Console.WriteLine($"# steady state: {library} {workload}, warm-up {events:N0} events, then {events:N0} x {repeat}, load {LatencyHarness.LoadAverage()}");
        var path = Path.Combine(Path.GetTempPath(), $"sl-profile-steady-{Environment.ProcessId}.jsonl");
        var peer = Peer.Create(library, path);
        bool disposed = false;
        try
        {
            peer.EndToEnd(events, workload);
            peer.FlushAsync().GetAwaiter().GetResult();
            for (int r = 0; r < repeat; r++)
            {
                long lost = peer.ReportedLost;
                var threads = byThread ? ThreadCpu.Snapshot() : null;
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                var sw = Stopwatch.StartNew();
                peer.EndToEnd(events, workload);
                peer.FlushAsync().GetAwaiter().GetResult();
                sw.Stop();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                var threadsAfter = byThread ? ThreadCpu.Snapshot() : null; // outside the allocation window
                lost = peer.ReportedLost - lost;
                // A window that dropped events would read fast for the wrong reason: say so on the line.
                Console.WriteLine($"{library} {workload} steady: {events / sw.Elapsed.TotalSeconds / 1e6:F2} M events/s, {allocated / (double)events:F3} B allocated/event ({allocated:N0} B in total), {lost:N0} dropped");
                if (byThread) Console.WriteLine($"  ns CPU/event by thread: {ThreadCpu.PerEvent(threads!, threadsAfter!, events)}");
            }
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            disposed = true;
            long expected = (long)events * (repeat + 1);
            long lines = PeerEndToEndBenchmarks.CountLines(path);
            Console.WriteLine(lines == expected ? $"# the file holds all {expected:N0} events" : $"# the file holds {lines:N0} lines for {expected:N0} events");
            return lines == expected ? 0 : 1;
        }
        finally
        {
            if (!disposed) peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            File.Delete(path);
        }
    }

    private static void PrintSamples(AllocationSampler sampler)
    {
        Console.WriteLine("# allocation samples (AllocationTick, ~100 KB each; warm-up included) by type:");
        foreach (var (type, n) in sampler.Counts.OrderByDescending(kv => kv.Value).Take(15)) Console.WriteLine($"{n,8}  {type}");
    }

    /// <summary>Counts the runtime's AllocationTick events by type name.</summary>
    private sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Counts = new();

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1 /* GC */);
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName != "GCAllocationTick_V4" || e.Payload is null) return;
            int i = e.PayloadNames!.IndexOf("TypeName");
            int size = e.PayloadNames.IndexOf("ObjectSize");
            // The size of the object that crossed the ~100 KB threshold tells buffers apart (e.g. 64 KB chunks from small arrays).
            string key = (i >= 0 ? e.Payload[i]?.ToString() : null) ?? "?";
            if (size >= 0 && e.Payload[size] is ulong bytes) key += $" ({bytes:N0} B)";
            Counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
    }
}
