using System.Diagnostics;
using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>floor [--bursts 600] [--quick]</c>: two experiments on what bounds the enabled call (coarse clock), outside
/// BenchmarkDotNet, in bursts of <see cref="CoreBenchmarks.Burst"/> calls like <see cref="CoreBenchmarks"/>.
/// <list type="number">
/// <item><b>Writer draining vs. blocked.</b> The same burst of enabled calls while the writer drains the
/// ring, and while the writer is held inside its sink (so no other core touches the ring during the
/// burst). If moving slot cache lines between cores were the cost, the blocked case would be cheaper.</item>
/// <item><b>Store floor.</b> No logger at all: a loop that claims a position and writes one slot of S
/// bytes (every 8-byte word) plus two references, in a ring small enough for L1 and in one of 16,384
/// slots (L3). This is the cost of the stores alone, for comparison with the logger's slot.</item>
/// <item><b>Two producers: one ring or a ring each.</b> A burst split over two threads that start it together (a spinning
/// pair, not <see cref="ProducerGroup"/>, whose worker wakes late), with the writers held: into one pipeline (both threads claim in one ring, with the compare-and-swap), into a pipeline
/// per thread (each claims in a ring of its own, with the same compare-and-swap: a bias revoked in the set-up), and into
/// one pipeline with <see cref="LogPipelineBuilder.ThreadLanes"/> (a ring per thread, precise clock), and one whose cap
/// of one lane is taken by a third thread, so that both threads take turns in one shared lane (claimed under its lock),
/// against the whole burst from one thread.</item>
/// </list>
/// Results and their reading: docs/benchmarks-history.md, "What bounds the enabled call (floor driver)".
/// </summary>
public static class FloorDriver
{
    private static bool s_quick;

    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--bursts");
        int bursts = i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : 600;
        s_quick = Array.IndexOf(args, "--quick") >= 0; // no tier-1 warm-up: for the smoke test only, the figures mean nothing
        Console.WriteLine($"# {bursts} bursts of {CoreBenchmarks.Burst} calls, load {LatencyHarness.LoadAverage()}");
        WriterDrainingOrBlocked(bursts);
        TwoProducers(bursts);
        StoreFloor(bursts);
        return 0;
    }

    private static void WriterDrainingOrBlocked(int bursts)
    {
        var sink = new GateSink();
        using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false)
            .TimestampPrecision(TimestampPrecision.Coarse).WriteTo(sink, isolate: false).Build();
        var log = pipeline.GetLogger("Benchmarks.Floor");
        int a = 42;
        double b = 3.25;
        string c = "alice";
        void Drain() => WaitDrained(pipeline, sink);
        var cases = new (string Name, Action Burst)[]
        {
            ("Enabled, no args, coarse clock", () => { for (int k = 0; k < CoreBenchmarks.Burst; k++) log.Info("Processed order"); }),
            ("Enabled 3 args, template, coarse clock", () => { for (int k = 0; k < CoreBenchmarks.Burst; k++) log.Info("Processed order {A} in {B} ms for {C}", a + k, b, c); }),
        };
        foreach (var (name, burst) in cases)
        {
            // Warm up to tier 1 (see CallerCostDriver), then alternate the two modes so that drift in the
            // machine's state affects both alike.
            for (int w = 0; w < (s_quick ? 1 : 40); w++)
            {
                Drain();
                burst();
                if (w % 10 == 9) Thread.Sleep(150);
            }
            var draining = new double[bursts];
            var blocked = new double[bursts];
            for (int k = 0; k < 2 * bursts; k++)
            {
                bool block = (k & 1) == 1;
                Drain();
                if (block) sink.HoldNext(log);
                long t0 = Stopwatch.GetTimestamp();
                burst();
                double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / CoreBenchmarks.Burst;
                if (block) sink.Release();
                (block ? blocked : draining)[k / 2] = ns;
            }
            Print($"{name}, writer draining", draining);
            Print($"{name}, writer held in its sink", blocked);
        }
    }

    /// <summary>Where <see cref="TwoProducers"/>'s threads log: one pipeline, a pipeline each, or one pipeline with thread lanes.</summary>
    private enum Rings { Shared, SharedPrecise, Separate, Lanes, SharedLane }

    private static void TwoProducers(int bursts)
    {
        LogPipeline Build(GateSink sink, TimestampPrecision precision = TimestampPrecision.Coarse, bool lanes = false,
            bool sharedLane = false)
        {
            var builder = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false)
                .TimestampPrecision(precision).WriteTo(sink, isolate: false);
            // Lanes big enough for a whole burst: the writer is held while it runs.
            if (lanes) builder.ThreadLanes(8192);
            // One lane of a thread's own, taken by a thread that logs once and waits (below), and one shared lane: both
            // producers take turns in it.
            if (sharedLane)
            {
                builder.ThreadLanes(8192, maxThreadLanes: 1);
                builder.SharedThreadLanesValue = 1;
            }
            return builder.Build();
        }
        var sinks = new[] { new GateSink(), new GateSink(), new GateSink(), new GateSink(), new GateSink(), new GateSink() };
        using var shared = Build(sinks[0]);
        using var own = Build(sinks[1]);
        using var ownSecond = Build(sinks[2]);
        using var sharedPrecise = Build(sinks[3], TimestampPrecision.Precise);
        using var laned = Build(sinks[4], TimestampPrecision.Precise, lanes: true);
        using var sharedLaned = Build(sinks[5], TimestampPrecision.Precise, sharedLane: true);
        var sharedLanedLog = sharedLaned.GetLogger("Benchmarks.Floor");
        using var holderDone = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            sharedLanedLog.Info("takes the one lane of its own");
            holderDone.Wait();
        }) { IsBackground = true, Name = "lane holder" };
        holder.Start();
        while (sharedLaned.Lanes!.Created == 0) Thread.Yield();
        var sharedLog = shared.GetLogger("Benchmarks.Floor");
        var sharedPreciseLog = sharedPrecise.GetLogger("Benchmarks.Floor");
        var lanedLog = laned.GetLogger("Benchmarks.Floor");
        Logger[] ownLogs = [own.GetLogger("Benchmarks.Floor"), ownSecond.GetLogger("Benchmarks.Floor")];
        // Not ProducerGroup: its worker sleeps between bursts and wakes tens to hundreds of microseconds late, so the two
        // threads would often not overlap at all. This one spins (yielding) until the burst starts.
        using var group = new SpinPair();
        var main = Thread.CurrentThread;
        var rings = Rings.Shared;
        double b = 3.25;
        string c = "alice";
        // Producer 0 is this thread, producer 1 the group's worker: in the separate case each logs into its own pipeline.
        void Burst(int count)
        {
            var log = rings switch
            {
                Rings.Shared => sharedLog,
                Rings.SharedPrecise => sharedPreciseLog,
                Rings.Lanes => lanedLog,
                Rings.SharedLane => sharedLanedLog,
                _ => ownLogs[Thread.CurrentThread == main ? 0 : 1],
            };
            for (int k = 0; k < count; k++) log.Info("Processed order {A} in {B} ms for {C}", k, b, c);
        }
        // Every ring of the separate case has seen both threads (a biased ring would skip the compare-and-swap that case is
        // to keep).
        rings = Rings.Separate;
        group.Run(Burst, 2);
        ownLogs[1].Info("revoke the bias");
        var other = new Thread(() => ownLogs[0].Info("revoke the bias"));
        other.Start();
        other.Join();
        var cases = new (string Name, Rings Rings, int Producers)[]
        {
            ("Two producers, one ring (3 args, coarse, writer held)", Rings.Shared, 2),
            ("Two producers, a ring each (3 args, coarse, writers held)", Rings.Separate, 2),
            ("One producer, one ring, its bias revoked (same burst)", Rings.Shared, 1),
            ("Two producers, one ring, precise clock", Rings.SharedPrecise, 2),
            ("Two producers, thread lanes (precise clock, writer held)", Rings.Lanes, 2),
            ("One producer, thread lanes (same burst)", Rings.Lanes, 1),
            ("Two producers, one shared lane (thread lanes past the cap)", Rings.SharedLane, 2),
            ("One producer, a shared lane (same burst)", Rings.SharedLane, 1),
        };
        var ns = cases.Select(_ => new double[bursts]).ToArray();
        for (int w = 0; w < (s_quick ? 1 : 40) + bursts; w++)
        {
            for (int i = 0; i < cases.Length; i++)
            {
                var (_, which, producers) = cases[i];
                rings = which;
                var pipelines = which switch
                {
                    Rings.Separate => new[] { (own, sinks[1], ownLogs[0]), (ownSecond, sinks[2], ownLogs[1]) },
                    Rings.SharedPrecise => new[] { (sharedPrecise, sinks[3], sharedPreciseLog) },
                    Rings.Lanes => new[] { (laned, sinks[4], lanedLog) },
                    Rings.SharedLane => new[] { (sharedLaned, sinks[5], sharedLanedLog) },
                    _ => new[] { (shared, sinks[0], sharedLog) },
                };
                foreach (var (pipeline, sink, log) in pipelines)
                {
                    WaitDrained(pipeline, sink);
                    sink.HoldNext(log);
                }
                long t0 = Stopwatch.GetTimestamp();
                if (producers == 1) Burst(CoreBenchmarks.Burst);
                else group.Run(Burst, CoreBenchmarks.Burst);
                double elapsed = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / CoreBenchmarks.Burst;
                foreach (var (_, sink, _) in pipelines) sink.Release();
                if (w >= (s_quick ? 1 : 40)) ns[i][w - (s_quick ? 1 : 40)] = elapsed;
                else if (w % 10 == 9) Thread.Sleep(150); // up to tier 1, as above
            }
        }
        for (int i = 0; i < cases.Length; i++) Print(cases[i].Name, ns[i]);
        holderDone.Set();
        if (sharedLaned.Lanes!.SharedCreated != 1 || sharedLaned.Lanes.Created != 1)
            Console.WriteLine("# the shared-lane cases did not run as described: the lane holder's lane was given up");
    }

    /// <summary>Waits (bounded) until <paramref name="sink"/> has every event <paramref name="pipeline"/> accepted: the writer has drained its rings.</summary>
    private static void WaitDrained(LogPipeline pipeline, GateSink sink)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sink.Count < pipeline.EventsEnqueued)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the writer did not drain the ring");
            Thread.SpinWait(50);
        }
    }

    /// <summary>Two threads that start a burst together: this one and a worker that waits for it spinning (and yielding).</summary>
    private sealed class SpinPair : IDisposable
    {
        private readonly Thread _worker;
        private Action<int>? _burst;
        private int _count;
        private int _started;
        private int _finished;
        private volatile bool _stopping;

        public SpinPair()
        {
            _worker = new Thread(Work) { IsBackground = true, Name = "producer 1" };
            _worker.Start();
        }

        /// <summary>Runs <paramref name="burst"/>(total / 2) on both threads and returns when both are done.</summary>
        public void Run(Action<int> burst, int total)
        {
            _burst = burst;
            _count = total / 2;
            int finished = Volatile.Read(ref _finished);
            Interlocked.Increment(ref _started);
            burst(total / 2);
            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) == finished) spin.SpinOnce(sleep1Threshold: -1);
        }

        private void Work()
        {
            int seen = 0;
            while (true)
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref _started) == seen && !_stopping) spin.SpinOnce(sleep1Threshold: -1);
                if (_stopping) return;
                seen = Volatile.Read(ref _started);
                _burst!(_count);
                Interlocked.Increment(ref _finished);
            }
        }

        public void Dispose()
        {
            _stopping = true;
            _worker.Join(TimeSpan.FromSeconds(5));
        }
    }

    private static void StoreFloor(int bursts)
    {
        object first = new(), second = "alice";
        var shapes = new List<(int Cells, int Stride, bool Atomic, bool References)>
        {
            (16_384, 64, Atomic: false, References: false), // the stores alone
            (16_384, 64, Atomic: true, References: false),  // + the claim's interlocked instruction
        };
        foreach (int cells in new[] { 64, 16_384 })
        {
            foreach (int stride in new[] { 64, 128, 192, 256, 320 }) shapes.Add((cells, stride, true, true));
        }
        foreach (var (cells, stride, atomic, references) in shapes)
        {
            {
                var ns = new double[bursts];
                var ring = new StoreRing(cells, stride, atomic, references);
                for (int w = 0; w < (s_quick ? 1 : 40); w++)
                {
                    for (int k = 0; k < CoreBenchmarks.Burst; k++) ring.Write(w, first, second);
                    if (w % 10 == 9) Thread.Sleep(150); // up to tier 1, as for the logger's cases
                }
                for (int b = 0; b < bursts; b++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (int k = 0; k < CoreBenchmarks.Burst; k++) ring.Write(t0, first, second);
                    ns[b] = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / CoreBenchmarks.Burst;
                }
                string what = (atomic, references) switch
                {
                    (false, false) => ", plain stores only",
                    (true, false) => ", claim + stores, no references",
                    _ => "",
                };
                Print($"Store floor: {stride}-byte slot, {cells:N0} slots ({(long)cells * stride / 1024:N0} KB){what}", ns);
            }
        }
    }

    private static void Print(string name, double[] ns)
    {
        Array.Sort(ns);
        Console.WriteLine($"{name,-72} median {ns[ns.Length / 2],7:F2} ns   p10 {ns[ns.Length / 10],7:F2}   p90 {ns[ns.Length * 9 / 10],7:F2}");
    }

    /// <summary>A ring of raw slots: a claim (interlocked increment, or a plain one), S/8 word stores, two reference stores (or none), a release store.</summary>
    private sealed class StoreRing(int cells, int stride, bool atomic, bool references)
    {
        private readonly long[] _words = new long[cells * (stride / 8)];
        private readonly RefPair[] _refs = new RefPair[cells];
        private readonly int _wordsPerSlot = stride / 8;
        private long _position;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Write(long timestamp, object first, object second)
        {
            long pos = atomic ? Interlocked.Increment(ref _position) - 1 : _position++;
            int cell = (int)(pos & (cells - 1));
            ref long slot = ref _words[cell * _wordsPerSlot];
            Unsafe.Add(ref slot, 1) = timestamp;
            for (int w = 2; w < _wordsPerSlot; w++) Unsafe.Add(ref slot, w) = pos + w;
            if (references)
            {
                ref RefPair refs = ref _refs[cell];
                refs.First = first;
                refs.Second = second;
            }
            Volatile.Write(ref slot, pos + 1);
        }
    }

    private struct RefPair
    {
        public object? First;
        public object? Second;
    }

    /// <summary>Counts events; when asked, holds the writer inside <see cref="Emit"/> until released.</summary>
    private sealed class GateSink : ILogSink
    {
        private readonly ManualResetEventSlim _open = new(true);
        private readonly ManualResetEventSlim _entered = new(false);
        private long _count;

        public long Count => Volatile.Read(ref _count);

        /// <summary>Logs one event and returns once the writer is blocked in <see cref="Emit"/> on it.</summary>
        public void HoldNext(Logger log)
        {
            _open.Reset();
            _entered.Reset();
            log.Info("hold the writer");
            if (!_entered.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the writer did not reach the sink");
        }

        public void Release() => _open.Set();

        public void Emit(ReadOnlySpan<LogEvent> batch)
        {
            Volatile.Write(ref _count, _count + batch.Length);
            if (!_open.IsSet)
            {
                _entered.Set();
                _open.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;

        public ValueTask DisposeAsync() => default;
    }
}
