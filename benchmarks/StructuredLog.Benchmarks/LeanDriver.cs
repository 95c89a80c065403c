using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using StructuredLog.Benchmarks.Peers;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>lean [--events 2000000] [--repeat 5] [--check]</c>: the end-to-end workload (Plain: one producer, three arguments, JSON lines
/// to a file, timed until the last line is written) through the leanest pipeline this harness can build from the library's
/// own parts, as a bound for what the real pipeline's bookkeeping costs. Not a product: it has no filters, enrichers,
/// levels, scopes, redaction, backpressure policy or error handling, one template and one sink.
/// </summary>
/// <remarks>
/// The producer (this thread) stamps each event with <see cref="PreciseClock.Now"/> and stores its three values in a
/// cell of a single-producer ring of 16,384 cells. A writer thread turns each cell into one reused
/// <see cref="EventRecord"/> (the values as positional properties of the parsed template) and formats it with
/// <see cref="JsonFormatter.Default"/> straight into a 1 MB buffer, with no batch, no format worker, no second copy into
/// a sink's queue and no clearing pass; full buffers go to an I/O thread that writes them with <see cref="RandomAccess"/>
/// into blocks reserved ahead, as the library's file sinks do.
/// The lines are the pipeline's (compare the bytes per event with <c>profile</c>'s).
/// </remarks>
public static class LeanDriver
{
    private const int Cells = 16_384;
    private const int BufferBytes = 1024 * 1024; // large writes: the page cache then takes large folios (benchmarks-history, "Session 25")

    private struct Cell
    {
        public long Sequence;
        public long Stamp;
        public int A;
        public double B;
        public string? C;
    }

    private static bool s_check;

    /// <summary>With <c>--check</c>: the file holds one JSON line per event, each parsing, in the order logged.</summary>
    private static void Check(string path, int events)
    {
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            int a = doc.RootElement.GetProperty("A").GetInt32();
            if (a != n) throw new InvalidOperationException($"line {n} holds event {a}");
            n++;
        }
        if (n != events) throw new InvalidOperationException($"{n} lines for {events} events");
        Console.WriteLine(FormattableString.Invariant($"  checked: {n:N0} lines in order, e.g. {File.ReadLines(path).First()}"));
    }

    public static int Run(string[] args)
    {
        s_check = Array.IndexOf(args, "--check") >= 0;
        int events = int.Parse(CommandLine.Value(args, "--events") ?? "2000000");
        int repeat = int.Parse(CommandLine.Value(args, "--repeat") ?? "5");
        Console.WriteLine($"# lean pipeline, {events:N0} events x {repeat}, load {LatencyHarness.LoadAverage()}");
        for (int r = 0; r < repeat; r++)
        {
            var (seconds, cpu, bytes, threads) = RunOnce(events);
            Console.WriteLine($"lean Plain: {events / seconds / 1e6:F2} M events/s, {cpu.TotalNanoseconds / events:F0} ns CPU/event (all threads), " +
                $"{(double)bytes / events:F0} B/event in the file");
            Console.WriteLine($"  ns CPU/event by thread: {threads}");
        }
        return 0;
    }

    private static (double Seconds, TimeSpan Cpu, long Bytes, string Threads) RunOnce(int events)
    {
        using var exit = new ManualResetEventSlim(); // the threads stay until their CPU time is read
        string path = Path.Combine(Path.GetTempPath(), $"sl-lean-{Environment.ProcessId}.jsonl");
        var cells = new Cell[Cells];
        for (int i = 0; i < Cells; i++) cells[i].Sequence = i;
        var full = new BlockingCollection<(byte[] Buffer, int Length)>();
        var free = new ConcurrentBag<byte[]>();
        for (int i = 0; i < 4; i++) free.Add(new byte[BufferBytes + 4096]);
        long written = 0;
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        using var done = new CountdownEvent(2);
        var io = new Thread(() =>
        {
            // As the library's I/O threads: SCHED_BATCH, so that waking it does not preempt the writer (BackgroundScheduling),
            // and blocks reserved ahead of the end (FilePreallocation).
            BackgroundScheduling.TryMarkCurrentThread();
            var reservation = FilePreallocation.For(handle);
            foreach (var (buffer, length) in full.GetConsumingEnumerable())
            {
                reservation?.BeforeWrite(written, length);
                RandomAccess.Write(handle, buffer.AsSpan(0, length), written);
                written += length;
                free.Add(buffer);
            }
            reservation?.Release();
            done.Signal();
            exit.Wait();
        }) { Name = "lean io" };
        var waits = new Waits();
        var writer = new Thread(() =>
        {
            Write(cells, events, full, free, waits);
            done.Signal();
            exit.Wait();
        }) { Name = "lean writer" };
        var threads0 = ThreadCpu.Snapshot();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long t0 = Stopwatch.GetTimestamp();
        io.Start();
        writer.Start();
        Produce(cells, events, waits);
        done.Wait();
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        string perThread = ThreadCpu.PerEvent(threads0, ThreadCpu.Snapshot(), events);
        exit.Set();
        writer.Join();
        io.Join();
        handle.Dispose();
        if (s_check) Check(path, events);
        File.Delete(path);
        return (seconds, cpu, written, perThread);
    }

    /// <summary>Where the producer and the writer wait for each other: a short spin, then an event (as the pipeline does).</summary>
    private sealed class Waits
    {
        public readonly ManualResetEventSlim Room = new(false, 0);
        public readonly ManualResetEventSlim Data = new(false, 0);
        public int ProducerWaiting;
        public int WriterWaiting;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Produce(Cell[] cells, int events, Waits waits)
    {
        double b = 0.25;
        for (int i = 0; i < events; i++)
        {
            ref Cell c = ref cells[i & (Cells - 1)];
            if (Volatile.Read(ref c.Sequence) != i)
            {
                // Full: wait until a quarter of the ring is free (cells free in order), so as not to follow the writer
                // cell by cell, spinning (as the pipeline's callers wait for room: LogPipeline.ClaimSlow).
                long far = i + Cells / 4 - 1;
                WaitFor(ref cells[far & (Cells - 1)].Sequence, far, waits.Room, ref waits.ProducerWaiting);
            }
            c.Stamp = PreciseClock.Now();
            c.A = i;
            c.B = i * b;
            c.C = Customer(i);
            Volatile.Write(ref c.Sequence, i + 1L);
            if (Volatile.Read(ref waits.WriterWaiting) != 0) waits.Data.Set();
        }
    }

    /// <summary>Spins briefly for <paramref name="sequence"/> to reach <paramref name="value"/>, then sleeps on <paramref name="signal"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WaitFor(ref long sequence, long value, ManualResetEventSlim signal, ref int waiting)
    {
        for (int k = 0; k < 8; k++)
        {
            Thread.SpinWait(20);
            if (Volatile.Read(ref sequence) == value) return;
        }
        while (Volatile.Read(ref sequence) != value)
        {
            signal.Reset();
            Interlocked.Exchange(ref waiting, 1); // a full fence: the other side's store is seen below, or it sees the flag
            if (Volatile.Read(ref sequence) != value) signal.Wait(1);
            Volatile.Write(ref waiting, 0);
        }
    }

    private static readonly string[] s_customers = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

    private static string Customer(int i) => s_customers[i & 7];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Write(Cell[] cells, int events, BlockingCollection<(byte[], int)> full, ConcurrentBag<byte[]> free, Waits waits)
    {
        var clock = new TimestampClock();
        var template = MessageTemplate.Parse(Peer.Template);
        var names = template.PropertyNameArray;
        var record = new EventRecord { Level = LogLevel.Info, Category = "Benchmarks.Orders", Template = template };
        var formatter = JsonFormatter.Default;
        var output = new Buffer(Take(free));
        for (long pos = 0; pos < events; pos++)
        {
            ref Cell c = ref cells[pos & (Cells - 1)];
            if (Volatile.Read(ref c.Sequence) != pos + 1) WaitFor(ref c.Sequence, pos + 1, waits.Data, ref waits.WriterWaiting);
            if ((pos & 1023) == 0) clock.AnchorIfStale(c.Stamp);
            record.TimestampTicks = clock.ToUtcTicks(c.Stamp);
            record.PropertyCount = 0;
            record.AppendProperty() = new LogProperty(names[0], LogValue.From(c.A));
            record.AppendProperty() = new LogProperty(names[1], LogValue.From(c.B));
            record.AppendProperty() = new LogProperty(names[2], LogValue.From(c.C));
            record.ArgumentCount = 3;
            Volatile.Write(ref c.Sequence, pos + Cells); // free for the producer's next lap
            // A quarter of the ring at a time: the producer, once woken, fills it without waiting again.
            if ((pos & (Cells / 4 - 1)) == 0 && Volatile.Read(ref waits.ProducerWaiting) != 0) waits.Room.Set();
            formatter.Format(new LogEvent(record), output);
            if (output.Length >= BufferBytes)
            {
                full.Add((output.Array, output.Length));
                output = new Buffer(Take(free));
            }
        }
        if (output.Length > 0) full.Add((output.Array, output.Length));
        full.CompleteAdding();
    }

    private static byte[] Take(ConcurrentBag<byte[]> free)
    {
        var spin = new SpinWait();
        byte[]? buffer;
        while (!free.TryTake(out buffer)) spin.SpinOnce();
        return buffer;
    }

    /// <summary>A fixed buffer with room past <see cref="BufferBytes"/> for the line that crosses it.</summary>
    private sealed class Buffer(byte[] array) : IBufferWriter<byte>
    {
        public byte[] Array { get; } = array;
        public int Length { get; private set; }

        public void Advance(int count) => Length += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Array.AsMemory(Length);

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            if (Array.Length - Length < Math.Max(sizeHint, 1)) throw new InvalidOperationException("a line longer than the buffer's spare room");
            return Array.AsSpan(Length);
        }
    }
}
