using System.Runtime.CompilerServices;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Pipeline;

/// <summary>
/// A second formatting thread for the writer. The writer and this thread take chunks of a batch from one
/// shared counter and format them for the batching sinks (the worker into an arena of its own), so that on
/// a machine with a spare core the formatting, the writer's largest cost, is shared. Only formatters that
/// declare <see cref="ILogFormatter.SupportsConcurrentFormatting"/> are used (<see cref="JsonFormatter"/>,
/// <see cref="TextFormatter"/>, <see cref="LogfmtFormatter"/>, the MessagePack formatter); everything else still formats lazily on the writer during dispatch. The writer starts on the batch at once and
/// only ever waits for a chunk the worker has already taken, never for the worker to wake up: a worker
/// that wakes late finds less (or nothing) left to take. Sinks see exactly what the writer alone would
/// have produced, in order.
/// </summary>
internal sealed class FormatWorker
{
    /// <summary>Events taken at a time: a few microseconds of work, so the writer's final wait stays short.</summary>
    internal const int Chunk = 16;

    /// <summary>Events ready and not taken before <see cref="Extend"/> wakes a worker that sleeps mid-batch.</summary>
    internal const int WakeAfter = 8 * Chunk;

    /// <summary>
    /// Short looks for the next batch before sleeping. Under sustained load the writer spends ~100 µs
    /// reading the ring between batches, longer than any useful spin, so spinning longer only burns CPU
    /// the other threads need (measured: same throughput, more CPU per event).
    /// </summary>
    private const int IdleChecks = 2;

    private readonly (ILogFormatter Formatter, LogLevel MinimumLevel)[] _targets;
    private readonly ManualResetEventSlim _wake = new(false, 1);
    private LogEvent[] _events = [];
    private int _to;
    // (batch generation << 32) | next index to take. A new generation starts a new batch, so a worker that
    // read the previous batch's fields cannot take a chunk of the new one: its compare-exchange fails.
    private long _state;
    private int _completed; // events of the current batch formatted so far, by either thread
    private volatile bool _sealed; // the current batch will not grow: a worker that finds nothing left stops looking
    private int _sleeping;
    private volatile bool _stopping;
    private long _workerChunks;

    /// <summary>A worker (and its thread) formatting for <paramref name="targets"/>; see <see cref="Create"/>.</summary>
    internal FormatWorker((ILogFormatter, LogLevel)[] targets)
    {
        _targets = targets;
        new Thread(Run) { IsBackground = true, Name = "StructuredLog formatter" }.Start();
    }

    /// <summary>The arena the worker's renderings live in until the batch ends.</summary>
    public FormatArena Arena { get; private set; } = new();

    /// <summary>True while the worker thread sleeps (for tests).</summary>
    internal bool Sleeping => Volatile.Read(ref _sleeping) != 0;

    /// <summary>Chunks formatted by the worker thread so far (for tests and diagnostics).</summary>
    public long WorkerChunks => Volatile.Read(ref _workerChunks);

    /// <summary>A worker for the pipeline's batching sinks with thread-safe formatters, or null when there is nothing to share or no spare core.</summary>
    public static FormatWorker? Create(IReadOnlyList<SinkRegistration> sinks)
    {
        if (Environment.ProcessorCount < 2) return null;
        var targets = new List<(ILogFormatter, LogLevel)>();
        foreach (var s in sinks)
        {
            if (s.Sink is Sinks.BatchingSink { Formatter: { SupportsConcurrentFormatting: true } formatter } && !targets.Exists(t => ReferenceEquals(t.Item1, formatter)))
                targets.Add((formatter, s.MinimumLevel));
        }
        return targets.Count == 0 ? null : new FormatWorker(targets.ToArray());
    }

    /// <summary>
    /// Writer: formats <paramref name="events"/>[0..count) for every target formatter, sharing the chunks
    /// with the worker thread, and returns when all of them are formatted and visible.
    /// </summary>
    public void FormatBatch(LogEvent[] events, int count)
    {
        Begin(events, count);
        Finish(count);
    }

    /// <summary>
    /// Writer: starts a batch whose first <paramref name="available"/> events are ready. The worker starts
    /// on them while the writer reads more from the ring and makes them available with <see cref="Extend"/>.
    /// </summary>
    public void Begin(LogEvent[] events, int available)
    {
        _events = events;
        _to = available;
        _sealed = false;
        Volatile.Write(ref _completed, 0);
        long generation = (Volatile.Read(ref _state) >> 32) + 1;
        // A full fence: the worker, which sets its sleeping flag and then reads the state, sees this batch or is woken.
        Interlocked.Exchange(ref _state, generation << 32);
        WakeIfSleeping();
    }

    /// <summary>Writer: events [0..<paramref name="available"/>) of the current batch are ready (they are in the array given to <see cref="Begin"/>).</summary>
    public void Extend(int available)
    {
        Volatile.Write(ref _to, available);
        // A worker that caught up with the writer and went to sleep is woken only once there is a good
        // amount to take: waking it for every chunk would cost a system call per 16 events. Never waking
        // it is safe (Finish takes whatever is left), so no fence is needed here.
        if (Volatile.Read(ref _sleeping) != 0 && available - (int)Volatile.Read(ref _state) >= WakeAfter) WakeIfSleeping();
    }

    /// <summary>Wakes a sleeping worker once per sleep (a repeated Set while it wakes would signal again).</summary>
    private void WakeIfSleeping()
    {
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1) _wake.Set();
    }

    /// <summary>
    /// Writer: the batch ends at <paramref name="count"/> events. Formats whatever chunks the worker has not
    /// taken, then waits for the ones it has (a few microseconds, unless it was preempted), so that every
    /// event's rendering is complete and visible on return.
    /// </summary>
    public void Finish(int count)
    {
        Interlocked.Exchange(ref _to, count);
        _sealed = true;
        var events = _events;
        int done = 0;
        long generation = Volatile.Read(ref _state) >> 32; // only this thread starts batches
        while (TryTake(generation, out int from, out int to))
        {
            FormatRange(events.AsSpan(from, to - from));
            done += to - from;
        }
        if (Interlocked.Add(ref _completed, done) == count) return;
        var spin = new SpinWait();
        while (Volatile.Read(ref _completed) != count) spin.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>Formats <paramref name="events"/> for every target formatter, on the calling thread, into <paramref name="arena"/> (null: each record's own, the writer's).</summary>
    public void FormatRange(ReadOnlySpan<LogEvent> events, FormatArena? arena = null)
    {
        foreach (var e in events)
        {
            foreach (var (formatter, minimumLevel) in _targets)
            {
                if (e.Level >= minimumLevel) e.GetFormatted(formatter, arena);
            }
        }
    }

    /// <summary>Writer, after the batch: the worker's renderings are no longer referenced.</summary>
    public void ResetArena(bool abandoned)
    {
        if (abandoned) Arena = new FormatArena(); // a stalled sink still holds spans into the old one
        else Arena.Reset();
    }

    public void Stop()
    {
        _stopping = true;
        _wake.Set();
    }

    /// <summary>Takes the next chunk of batch <paramref name="generation"/>, or returns false when every chunk of it is taken.</summary>
    private bool TryTake(long generation, out int from, out int to)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            from = (int)state;
            int end = Volatile.Read(ref _to);
            if (state >> 32 != generation || from >= end)
            {
                to = from;
                return false;
            }
            to = Math.Min(from + Chunk, end);
            // Success means the state did not move, so _to (and _events) still belong to this generation.
            if (Interlocked.CompareExchange(ref _state, (state & ~0xFFFF_FFFFL) | (uint)to, state) == state) return true;
        }
    }

    // A thread's loop, entered once per pipeline and left only at disposal: compiled fully optimised at once. Tiered
    // compilation would run it as tier-0 code (then on-stack replacement) for the pipeline's whole life, and move it to
    // instrumented tier-0 after 30 pipelines, which a process that builds pipelines one after another then runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        BackgroundScheduling.TryMarkCurrentThread();
        long seen = 0;
        while (!_stopping)
        {
            long state = Volatile.Read(ref _state);
            if (state >> 32 == seen)
            {
                // Between batches: look twice for the next one, then sleep until the writer starts it.
                SpinThenSleep(seen, -1, IdleChecks);
                continue;
            }
            seen = state >> 32;
            var arena = Arena; // replaced only between batches, before the next generation is published
            while (!_stopping)
            {
                if (TryTake(seen, out int from, out int to))
                {
                    Format(arena, from, to);
                    continue;
                }
                // Nothing ready: the batch is over, or the writer is still reading it from the ring.
                if (_sealed || Volatile.Read(ref _state) >> 32 != seen) break;
                // The writer adds a chunk every microsecond or two: spin for it (~5 µs), then sleep.
                SpinThenSleep(seen, Volatile.Read(ref _to), 10);
            }
        }
    }

    private void Format(FormatArena arena, int from, int to)
    {
        try
        {
            FormatRange(_events.AsSpan(from, to - from), arena);
            _workerChunks++;
        }
        catch (Exception ex)
        {
            // GetFormatted already turns a throwing formatter into a marked line; anything else is a bug.
            SelfLog.Write("pipeline", $"format worker failed: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Interlocked.Add(ref _completed, to - from);
        }
    }

    /// <summary>
    /// Spins <paramref name="spins"/> short rounds, then sleeps, until something moves: a new batch, stopping,
    /// and, within batch <paramref name="generation"/> (<paramref name="to"/> ≥ 0), more events or its end.
    /// </summary>
    private void SpinThenSleep(long generation, int to, int spins)
    {
        for (int i = 0; i < spins; i++)
        {
            Thread.SpinWait(20);
            if (Moved(generation, to)) return;
        }
        _wake.Reset();
        Interlocked.Exchange(ref _sleeping, 1);
        if (!Moved(generation, to)) _wake.Wait();
        Interlocked.Exchange(ref _sleeping, 0);
    }

    private bool Moved(long generation, int to) =>
        _stopping || Volatile.Read(ref _state) >> 32 != generation || (to >= 0 && (_sealed || Volatile.Read(ref _to) != to));
}
