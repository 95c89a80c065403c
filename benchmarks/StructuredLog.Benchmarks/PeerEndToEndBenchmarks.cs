using BenchmarkDotNet.Attributes;
using StructuredLog.Benchmarks.Peers;

namespace StructuredLog.Benchmarks;

/// <summary>
/// Workloads 4 and 5: <see cref="Events"/> events (int, double, string) written as JSON lines to a file,
/// timed from the first call until the library is flushed and disposed (so every byte is in the file).
/// The logger and its file are created in the iteration setup (not timed). Variants: an error with an
/// exception every 100 events; all events inside a scope and a started W3C activity.
/// Allocated bytes are the whole process's (<c>GC.GetTotalAllocatedBytes</c>), divided by the events.
/// Sixteen measured iterations: with eight, single iterations of one case spread so widely on the test machine
/// (224–391 ns per event) that a median moved by more than the differences it was read for.
/// Thirty warm-up iterations: with ten, the runtime was still moving StructuredLog's writer and sink loops to full
/// tier-1 code until the 3rd to 9th measured iteration, and compiling 100–250 methods at a time in two or three
/// of them (those read 450–700 against 230–390 ns per event). Its iterations are short, so the runtime's
/// call-counting delay, which every new compilation restarts, spans more of them. Every library gets the same warm-up.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(30)]
[IterationCount(16)]
[Config(typeof(WorkloadMajorOrderer.Config))]
public class PeerEndToEndBenchmarks
{
    public const int DefaultEvents = 200_000;

    private Peer? _peer;
    private string _path = "";

    /// <summary>Events per invocation (the smoke test lowers it).</summary>
    public static int Events { get; set; } = DefaultEvents;

    [ParamsAllValues]
    public Library Library { get; set; }

    [ParamsAllValues]
    public Workload Workload { get; set; }

    /// <summary>The file of the last iteration (kept until the next setup, for checks).</summary>
    public string LastPath => _path;

    /// <summary>Small pipelines built, used and disposed before BenchmarkDotNet's warm-up (<see cref="WarmUpSetupPath"/>).</summary>
    public static int SetupWarmUpRounds { get; set; } = int.TryParse(Environment.GetEnvironmentVariable("SL_SETUP_WARMUP"), out int n) ? n : 300;

    /// <summary>
    /// Builds, uses (1,000 events) and disposes <see cref="SetupWarmUpRounds"/> small loggers of the case's library and
    /// workload before any iteration. Each iteration builds and disposes a logger, so the code that does it (and the
    /// loops of the library's threads, entered once per logger) is called once per iteration: the runtime moves such a
    /// method to instrumented code after 30 calls and to its final code after about 30 more. With only BenchmarkDotNet's
    /// 30 warm-up iterations, that happened during the measured ones. Per-thread CPU read inside the iterations showed
    /// the JIT's thread using up to 264 ns of CPU per event in a third of StructuredLog's, on a 2-core machine where every
    /// thread of the pipeline competes for the same cores (docs/benchmarks-history.md, "Session 23"). Every library gets the same.
    /// </summary>
    [GlobalSetup]
    public void WarmUpSetupPath()
    {
        int rounds = Events == DefaultEvents ? SetupWarmUpRounds : 2; // the smoke test runs every case once, with fewer events
        for (int i = 0; i < rounds; i++)
        {
            var path = Path.Combine(Path.GetTempPath(), $"sl-bench-warmup-{Environment.ProcessId}-{Library}-{Workload}-{i}.jsonl");
            var peer = Peer.Create(Library, path);
            peer.EndToEnd(1_000, Workload);
            peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            File.Delete(path);
        }
    }

    [IterationSetup]
    public void CreateLogger()
    {
        DeleteFile();
        _path = Path.Combine(Path.GetTempPath(), $"sl-bench-{Environment.ProcessId}-{Library}-{Workload}-{Guid.NewGuid():N}.jsonl");
        _peer = Peer.Create(Library, _path);
    }

    [Benchmark(OperationsPerInvoke = DefaultEvents)]
    [InvocationCount(1)]
    public void JsonToFile()
    {
        _peer!.EndToEnd(Events, Workload);
        _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// After every iteration (not timed): the file must hold one line per event and the library must report
    /// no loss, so that no library is ever measured losing events (every library is set up to block when its
    /// queue is full; this checks that nothing was lost anyway).
    /// </summary>
    [IterationCleanup]
    public void VerifyNothingLost()
    {
        if (_peer is null) return;
        long lines = CountLines(_path);
        long lost = _peer.ReportedLost;
        if (lines != Events || lost != 0)
            throw new InvalidOperationException($"{Library} {Workload}: {lines:N0} lines in the file for {Events:N0} events, {lost:N0} reported dropped");
    }

    private static readonly byte[] s_readBuffer = new byte[1 << 20];

    /// <summary>Line feeds in the file (streamed through one reused buffer: nothing allocated per iteration).</summary>
    public static long CountLines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        long lines = 0;
        int n;
        while ((n = file.Read(s_readBuffer)) > 0) lines += s_readBuffer.AsSpan(0, n).Count((byte)'\n');
        return lines;
    }

    [GlobalCleanup]
    public void DeleteFile()
    {
        if (_path.Length > 0 && File.Exists(_path)) File.Delete(_path);
    }
}
