using System.Diagnostics;
using System.Text.Json;
using StructuredLog.Benchmarks;
using StructuredLog.Benchmarks.Peers;
using Xunit;

namespace StructuredLog.Benchmarks.Tests;

/// <summary>Checks that every library is configured to do the work the benchmarks claim it does.</summary>
public sealed class PeerSetupTests
{
    public static TheoryData<Library, Workload> AllCases()
    {
        var data = new TheoryData<Library, Workload>();
        foreach (var l in Enum.GetValues<Library>())
            foreach (var w in Enum.GetValues<Workload>())
                data.Add(l, w);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task Every_library_writes_every_event_as_one_json_line(Library library, Workload workload)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sl-peer-test-{Guid.NewGuid():N}.jsonl");
        try
        {
            const int events = 1_000;
            string? traceId = null;
            var peer = Peer.Create(library, path);
            if (workload == Workload.ScopeTrace)
            {
                // EndToEnd starts its own activity; capture its id through a listener.
                using var listener = new ActivityListener
                {
                    ShouldListenTo = _ => true,
                    ActivityStarted = a => traceId ??= a.TraceId.ToHexString(),
                };
                ActivitySource.AddActivityListener(listener);
                peer.EndToEnd(events, workload);
            }
            else
            {
                peer.EndToEnd(events, workload);
            }
            await peer.DisposeAsync();

            var lines = File.ReadAllLines(path);
            Assert.Equal(events, lines.Length);
            int withException = 0;
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                if (line.Contains("InvalidOperationException", StringComparison.Ordinal)) withException++;
            }
            Assert.Equal(workload == Workload.Exception ? events / 100 : 0, withException);
            Assert.Contains(lines, l => l.Contains("alice", StringComparison.Ordinal));
            if (workload == Workload.ScopeTrace)
            {
                Assert.All(lines, l => Assert.Contains("4711", l));
                if (traceId is not null) Assert.All(lines, l => Assert.Contains(traceId, l));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(Library.StructuredLog)]
    [InlineData(Library.ZLogger)]
    [InlineData(Library.Serilog)]
    [InlineData(Library.NLog)]
    [InlineData(Library.MelLoggerMessage)]
    [InlineData(Library.StructuredLogCoarseClock)]
    [InlineData(Library.StructuredLogThreadLanes)]
    public async Task Null_targets_receive_every_event_and_disabled_calls_reach_nothing(Library library)
    {
        var peer = Peer.Create(library, path: null);
        try
        {
            peer.DisabledBurst(500);
            peer.EnabledBurst(3_000);
            peer.WaitDelivered(TimeSpan.FromSeconds(30));
            Assert.Equal(3_000, peer.Delivered);
        }
        finally
        {
            await peer.DisposeAsync();
        }
    }

    [Fact]
    public void Producer_group_runs_the_burst_on_every_producer()
    {
        using var group = new ProducerGroup(4);
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        int total = 0;
        group.Run(n => { threads[Environment.CurrentManagedThreadId] = n; Interlocked.Add(ref total, n); }, 400);
        Assert.Equal(4, threads.Count);
        Assert.Equal(400, total);
    }

    [Theory]
    [InlineData("StructuredLog")]
    [InlineData("StructuredLogCoarseClock")] // steady state is StructuredLog's own check: the peers have no flush without dispose here
    [InlineData("StructuredLogThreadLanes")]
    public void The_steady_state_driver_reports_drops_and_checks_the_file(string library)
    {
        var (rc, text) = RunCapturingOutput(() => ProfileDriver.Run(["--steady", "--library", library, "--events", "2000", "--repeat", "2"]));
        Assert.Equal(0, rc);
        Assert.Equal(2, text.Split('\n').Count(l => l.Contains("steady:", StringComparison.Ordinal) && l.EndsWith(", 0 dropped", StringComparison.Ordinal)));
        Assert.Contains($"# the file holds all {6000:N0} events", text); // same culture as the driver's output
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_idle_cpu_driver_reports_the_process_cpu(bool noLog)
    {
        string[] args = ["--interval-ms", "5", "--warmup-s", "0.1", "--seconds", "0.3"];
        var (rc, line) = RunCapturingOutput(() => IdleCpuDriver.Run(noLog ? [.. args, "--no-log"] : args));
        Assert.Equal(0, rc);
        Assert.StartsWith(noLog ? "one loop without logging every 5 ms:" : "one event every 5 ms:", line);
        Assert.Contains("% of one core", line);
    }

    [Fact]
    public void The_lean_driver_writes_every_event_once_in_order()
    {
        // More events than its ring holds, so that the producer waits for room at least once; --check reads the file back.
        var (rc, text) = RunCapturingOutput(() => LeanDriver.Run(["--events", "40000", "--repeat", "2", "--check"]));
        Assert.Equal(0, rc);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.Contains("checked: 40,000 lines in order", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.StartsWith("lean Plain: ", StringComparison.Ordinal) && l.Contains(" B/event in the file", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_floor_driver_runs_every_case()
    {
        var (rc, text) = RunCapturingOutput(() => FloorDriver.Run(["--bursts", "3", "--quick"]));
        Assert.Equal(0, rc);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Count(l => l.Contains("coarse clock, writer", StringComparison.Ordinal)));
        Assert.Equal(8, lines.Count(l => l.Contains(" producer", StringComparison.Ordinal) && (l.Contains(" ring", StringComparison.Ordinal) || l.Contains(" lane", StringComparison.Ordinal))));
        Assert.DoesNotContain(lines, l => l.Contains("did not run as described", StringComparison.Ordinal));
        Assert.Equal(12, lines.Count(l => l.StartsWith("Store floor:", StringComparison.Ordinal)));
        Assert.All(lines.Where(l => l.Contains(" median ", StringComparison.Ordinal)), l => Assert.DoesNotContain("NaN", l));
    }

    [Fact]
    public void Latency_harness_times_every_call()
    {
        var result = LatencyHarness.Measure(Library.StructuredLog, producers: 2, eventsPerProducer: 300);
        Assert.Equal(600, result.Count);
        Assert.True(result.P50 > 0 && result.P50 <= result.P99 && result.P99 <= result.Max);
    }

    [Fact]
    public void Latency_harness_runs_its_empty_floor_and_prints_by_position()
    {
        var result = LatencyHarness.MeasureEmpty(producers: 2, eventsPerProducer: 200, lines: 8);
        Assert.Equal(400, result.Count);
        Assert.True(result.P50 > 0 && result.P50 <= result.P99 && result.P99 <= result.Max);
        var (rc, text) = RunCapturingOutput(() => LatencyHarness.Run(["--producers", "1", "--events", "200", "--library", "Empty", "--by-position"]));
        Assert.Equal(0, rc);
        Assert.Contains("| Empty |", text, StringComparison.Ordinal);
        (rc, var clocked) = RunCapturingOutput(() => LatencyHarness.Run(["--producers", "1", "--events", "200", "--library", "Empty", "--clock", "precise"]));
        Assert.Equal(0, rc);
        Assert.Contains("| Empty+precise clock |", clocked, StringComparison.Ordinal);
        Assert.Contains("by the call's index in its burst: 0:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Thread_cpu_attributes_time_to_the_thread_that_used_it()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc only
        var before = ThreadCpu.Snapshot();
        bool stop = false;
        var spinner = new Thread(() =>
        {
            while (!Volatile.Read(ref stop)) Thread.SpinWait(100);
        }) { Name = "sl-test-spin" };
        long spun = 0;
        spinner.Start();
        // Read while the spinner still runs: an ended thread is missing from the snapshot.
        SpinWait.SpinUntil(() => (spun = ThreadCpu.Snapshot().GetValueOrDefault("sl-test-spin")) >= 50_000_000, TimeSpan.FromSeconds(10));
        var after = ThreadCpu.Snapshot();
        Volatile.Write(ref stop, true);
        spinner.Join();
        Assert.False(before.ContainsKey("sl-test-spin"));
        Assert.True(spun >= 50_000_000, $"the spinning thread used {spun:N0} ns");
        Assert.Contains("sl-test-spin", ThreadCpu.PerEvent(before, after, events: 1000));
    }

    [Fact]
    public void The_profile_driver_prints_cpu_by_thread()
    {
        var (rc, text) = RunCapturingOutput(() => ProfileDriver.Run(["--events", "5000", "--repeat", "1", "--threads"]));
        Assert.Equal(0, rc);
        if (OperatingSystem.IsLinux()) Assert.Contains("ns CPU/event by thread: ", text);
        Assert.Contains("StructuredLog Plain: ", text);
    }

    [Fact]
    public void The_machine_probe_measures_page_cache_writes_and_the_cpu()
    {
        string dir = Directory.CreateTempSubdirectory("sl-machine-").FullName;
        string text;
        try
        {
            int rc;
            (rc, text) = RunCapturingOutput(() => MachineProbe.Run(["--dir", dir, "--mb", "4"]));
            Assert.Equal(0, rc);
            Assert.Empty(Directory.GetFiles(dir)); // the probe's file is deleted after each pass
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.StartsWith("page cache, pass ", StringComparison.Ordinal) && l.Contains(" GB/s = ", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.StartsWith("cpu, window ", StringComparison.Ordinal) && l.EndsWith(" ns", StringComparison.Ordinal)));
    }

    /// <summary>Runs a driver with the console captured (tests of this class run one at a time).</summary>
    private static (int ExitCode, string Output) RunCapturingOutput(Func<int> run)
    {
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            return (run(), output.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }
}
