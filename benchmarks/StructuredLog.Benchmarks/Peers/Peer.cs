using System.Diagnostics;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// One configured library. Each loop lives inside the subclass so that the measured calls are direct,
/// non-virtual calls into the library (one virtual call per burst, not per event).
/// </summary>
public abstract class Peer : IAsyncDisposable
{
    /// <summary>The message every library logs; holes are named A, B and C.</summary>
    public const string Template = "Processed order {A} in {B} ms for {C}";

    /// <summary>The message of the error events in the <see cref="Workload.Exception"/> workload.</summary>
    public const string ErrorTemplate = "Order {A} failed";

    private static readonly string[] s_customers = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
    private long _sent;

    protected Peer(Library library) => Library = library;

    public Library Library { get; }

    /// <summary>Events handed to the library so far (enabled calls).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Events that reached the null target (null-target peers only).</summary>
    public abstract long Delivered { get; }

    /// <summary>The string argument for event <paramref name="i"/> (a handful of distinct, pre-existing strings).</summary>
    protected static string Customer(int i) => s_customers[i & 7];

    /// <summary>An exception with a real stack trace (thrown once, logged many times).</summary>
    public static readonly Exception SampleException = CreateException();

    /// <summary><paramref name="count"/> calls below the minimum level (filtered out).</summary>
    public abstract void DisabledBurst(int count);

    /// <summary><paramref name="count"/> enabled Info calls with (int, double, string).</summary>
    public void EnabledBurst(int count)
    {
        Interlocked.Add(ref _sent, count);
        LogBurst(0, count, exceptionEvery: 0);
    }

    /// <summary>One enabled call, not counted in <see cref="Sent"/> (call <see cref="AddSent"/> afterwards): no shared counter on the measured path.</summary>
    public void LogOne(int i) => LogBurst(i, 1, exceptionEvery: 0);

    /// <summary>Adds events logged through <see cref="LogOne"/> to <see cref="Sent"/>.</summary>
    public void AddSent(long count) => Interlocked.Add(ref _sent, count);

    /// <summary>The end-to-end loop: <paramref name="count"/> events, an error with an exception every <paramref name="exceptionEvery"/> events (0 = never).</summary>
    public void EndToEnd(int count, Workload workload)
    {
        Interlocked.Add(ref _sent, count);
        if (workload == Workload.ScopeTrace)
        {
            using var activity = new Activity("benchmark-request").SetIdFormat(ActivityIdFormat.W3C).Start();
            using var scope = BeginScope("RequestId", 4711);
            LogBurst(0, count, 0);
        }
        else
        {
            LogBurst(0, count, workload == Workload.Exception ? 100 : 0);
        }
    }

    /// <summary>Logs events start..start+count-1 (the subclass's direct calls).</summary>
    protected abstract void LogBurst(int start, int count, int exceptionEvery);

    /// <summary>Opens a scope with one property, the library's own way.</summary>
    protected abstract IDisposable BeginScope(string name, int value);

    /// <summary>
    /// Runs <paramref name="bursts"/> bursts (each drained) with pauses, so that the library's code reaches tier 1 before
    /// measuring; <paramref name="more"/> adds a burst of other calls to each (counted in <see cref="Sent"/> by the caller).
    /// </summary>
    public void WarmUp(int bursts = 40, int burst = 2000, Action<int>? more = null)
    {
        for (int i = 0; i < bursts; i++)
        {
            EnabledBurst(burst);
            DisabledBurst(burst);
            more?.Invoke(burst);
            WaitDelivered(TimeSpan.FromSeconds(60));
            if (i % 10 == 9) Thread.Sleep(150);
        }
    }

    /// <summary>Waits (bounded) until every sent event reached the null target.</summary>
    public void WaitDelivered(TimeSpan timeout)
    {
        long target = Sent;
        var sw = Stopwatch.StartNew();
        var spin = new SpinWait();
        while (Delivered < target)
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"{Library}: {Delivered} of {target} events delivered after {timeout.TotalSeconds} s");
            spin.SpinOnce(sleep1Threshold: 20);
        }
    }

    /// <summary>
    /// Events the library itself reports as lost: dropped, or failed to write (StructuredLog counts each one;
    /// the peers keep no such count, and all libraries are set up to block rather than drop). The end-to-end
    /// benchmarks fail an iteration that lost any, and also count the lines in the file.
    /// </summary>
    public virtual long ReportedLost => 0;

    /// <summary>Waits until everything logged so far is written, keeping the logger open (StructuredLog only: the peers' async wrappers flush only on dispose).</summary>
    public virtual Task FlushAsync() => throw new NotSupportedException($"{Library}: no flush without dispose in this harness");

    /// <summary>Flushes and closes the library (the file is complete afterwards).</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Creates <paramref name="library"/> writing JSON lines to <paramref name="path"/>, or to a counting null target when the path is null.</summary>
    public static Peer Create(Library library, string? path) => library switch
    {
        Library.StructuredLog => new StructuredLogPeer(path),
        Library.ZLogger => new ZLoggerPeer(path),
        Library.Serilog => new SerilogPeer(path),
        Library.NLog => new NLogPeer(path),
        Library.MelLoggerMessage => new MelPeer(path),
        Library.StructuredLogCoarseClock => new StructuredLogPeer(path, coarseClock: true),
        Library.StructuredLogThreadLanes => new StructuredLogPeer(path, threadLanes: true),
        _ => throw new ArgumentOutOfRangeException(nameof(library)),
    };

    private static Exception CreateException()
    {
        try { throw new InvalidOperationException("The warehouse refused the order."); }
        catch (Exception ex) { return ex; }
    }
}
