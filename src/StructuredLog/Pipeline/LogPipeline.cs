using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Filtering;
using StructuredLog.Pipeline;
using StructuredLog.Sinks;

namespace StructuredLog;

/// <summary>
/// A logging pipeline: loggers write into one lock-free ring buffer; one background writer thread
/// drains it, formats lazily and hands batches to the sinks. Build one with
/// <see cref="LogPipelineBuilder"/>, keep it for the life of the application, and dispose it at the
/// end (disposal writes everything that was logged). Thread-safe.
/// </summary>
public sealed class LogPipeline : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Logger> _loggers = new(StringComparer.Ordinal);
    private readonly LevelOverrides _levels;
    private readonly EventWriter _writer;
    private readonly Redactor? _redactor;
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private readonly TimeSpan _waitTimeout;
    private readonly PipelineMetrics _metrics;
    private int _writerIdle;
    private readonly object _roomGate = new();
    private int _roomWaiters;
    private long _roomWaits; // under _roomGate
    private long _roomWaitsSignalled; // under _roomGate
    private volatile bool _closed;
    private int _disposeStarted;
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal LogPipeline(LogPipelineBuilder b)
    {
        // With thread lanes the one ring is not used: a minimal one stands in, so that its readers need no null checks.
        Ring = new RingBuffer(b.ThreadLaneCellsValue > 0 ? 2 : b.BufferSizeValue);
        Lanes = b.ThreadLaneCellsValue > 0
            ? new LaneSet(b.ThreadLaneCellsValue,
                b.MaxThreadLanesValue > 0 ? b.MaxThreadLanesValue : LaneSet.DefaultMaxThreadLanes,
                b.SharedThreadLanesValue > 0 ? b.SharedThreadLanesValue : LaneSet.DefaultSharedLanes)
            : null;
        Backpressure = b.BackpressureValue;
        _waitTimeout = b.WaitTimeoutValue;
        _levels = new LevelOverrides(b.MinimumLevelValue, b.Overrides);
        _redactor = b.RedactWords.Count > 0 ? new Redactor(b.RedactWords) : null;
        Sinks = b.Sinks.ToArray();
        ShutdownTimeout = b.ShutdownTimeoutValue;
        _writer = new EventWriter(this, b);
        _metrics = new PipelineMetrics(this);
        if (b.FlushOnProcessExitValue) AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        TimestampPrecision = b.TimestampPrecisionValue;
        if (TimestampPrecision == TimestampPrecision.Coarse) CoarseClock.Acquire();
        _writer.Start();
    }

    internal RingBuffer Ring { get; }

    /// <summary>The threads' rings when the pipeline was built with <see cref="LogPipelineBuilder.ThreadLanes"/>; else null.</summary>
    internal LaneSet? Lanes { get; }

    internal EventWriter Writer => _writer;

    internal SinkRegistration[] Sinks { get; }

    internal Redactor? Redactor => _redactor;

    /// <summary>The policy applied when the ring buffer is full.</summary>
    public BackpressurePolicy Backpressure { get; }

    /// <summary>How long <see cref="DisposeAsync"/> (and the process-exit hook) wait for the writer and the sinks.</summary>
    public TimeSpan ShutdownTimeout { get; }

    /// <summary>How calls read the clock for their timestamps (see <see cref="StructuredLog.TimestampPrecision"/>).</summary>
    public TimestampPrecision TimestampPrecision { get; }

    /// <summary>The default minimum level (before per-category overrides).</summary>
    public LogLevel MinimumLevel => _levels.Default;

    /// <summary>Ring buffer capacity in events (with <see cref="LogPipelineBuilder.ThreadLanes"/>: each thread's ring's).</summary>
    public int BufferSize => Lanes?.CellsPerLane ?? Ring.Capacity;

    /// <summary>Events waiting in the ring buffer (or in every thread's ring).</summary>
    public long QueueDepth => Lanes?.Depth ?? Ring.Depth;

    /// <summary>Events accepted into the ring buffer (or the threads' rings) since the pipeline started.</summary>
    public long EventsEnqueued => Lanes?.Enqueued ?? Ring.EnqueuePosition;

    /// <summary>Events handed to the sinks (after filtering and sampling).</summary>
    public long EventsProcessed => _writer.Processed;

    /// <summary>Events dropped for <paramref name="reason"/> since the pipeline started.</summary>
    public long GetDroppedCount(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Events lost (queue full, logged after shutdown, or after the writer failed); sampling, rate limiting and filters are not losses.</summary>
    public long EventsLost => GetDroppedCount(DropReason.QueueFull) + GetDroppedCount(DropReason.Shutdown) + GetDroppedCount(DropReason.WriterFailed);

    /// <summary>Per-sink delivery counters: events handed to the sink and batches on which it threw.</summary>
    public IReadOnlyList<SinkStatus> SinkStatuses => Array.ConvertAll(Sinks, s =>
        new SinkStatus(s.Name, Interlocked.Read(ref s.EventsEmitted), Interlocked.Read(ref s.Failures), Interlocked.Read(ref s.EventsDropped), s.Stalled, s.Sink));

    /// <summary>Returns the logger of <paramref name="category"/> (one instance per category).</summary>
    public Logger GetLogger(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return _loggers.GetOrAdd(category, static (c, self) => new Logger(self, c, self._levels.For(c)), this);
    }

    /// <summary>Returns the logger whose category is the full name of <typeparamref name="T"/>.</summary>
    public Logger GetLogger<T>() => GetLogger(TypeNameCache<T>.Name);

    /// <summary>
    /// Changes the default minimum level and the per-category overrides at run time (e.g. on a
    /// configuration reload); existing loggers pick the change up at once.
    /// </summary>
    public void SetMinimumLevel(LogLevel minimumLevel, IReadOnlyDictionary<string, LogLevel>? overrides = null)
    {
        _levels.Set(minimumLevel, overrides);
        foreach (var logger in _loggers.Values) logger.SetMinimumLevel(_levels.For(logger.Category));
        var handlers = MinimumLevelChanged;
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler)handler)(this, EventArgs.Empty);
            }
            catch (Exception ex)
            {
                SelfLog.Write("pipeline", $"a MinimumLevelChanged handler threw {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The lowest level at which any category is enabled (the default level and every override): a call
    /// below it is disabled whatever its category. Integrations use it to filter before reaching the
    /// pipeline (the Microsoft.Extensions.Logging provider hands it to MEL's own filter).
    /// </summary>
    public LogLevel LowestMinimumLevel => _levels.Lowest;

    /// <summary>Raised after <see cref="SetMinimumLevel"/> changed the levels (on the thread that called it).</summary>
    public event EventHandler? MinimumLevelChanged;

    /// <summary>
    /// Completes when every event logged before the call has been written by every sink (each sink's
    /// <see cref="ILogSink.FlushAsync"/> included).
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposeStarted) != 0) return _disposed.Task.WaitAsync(cancellationToken);
        // With thread lanes the target is a time: events are written in timestamp order, and every event logged before
        // this call has an earlier timestamp.
        return _writer.RequestFlush(Lanes is null ? Ring.EnqueuePosition : PreciseClock.NowOrdered()).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops accepting events, writes everything already logged, flushes and disposes the sinks.
    /// Bounded by <see cref="ShutdownTimeout"/>; whatever could not be written in time is counted and
    /// reported through the self-log.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }
        try
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            _closed = true;
            var deadline = DateTime.UtcNow + ShutdownTimeout;
            await _writer.StopAsync(ShutdownTimeout).ConfigureAwait(false);
            if (TimestampPrecision == TimestampPrecision.Coarse) CoarseClock.ReleaseUser();
            // Calls made from now on fail to claim a slot and are counted as dropped (Shutdown);
            // whatever was claimed but not written is counted the same way.
            long unwritten = Lanes?.Close() ?? Ring.Close();
            if (unwritten > 0)
            {
                CountDrop(DropReason.Shutdown, unwritten);
                SelfLog.Write("pipeline", $"{unwritten} events were not written before shutdown");
            }
            foreach (var sink in Sinks)
            {
                var remaining = deadline - DateTime.UtcNow;
                if (remaining < TimeSpan.FromMilliseconds(100)) remaining = TimeSpan.FromMilliseconds(100);
                sink.Dispatcher?.Stop();
                try
                {
                    var target = sink.Sink;
                    // An isolated sink may block even in DisposeAsync: call it off this thread so the timeout holds.
                    var disposal = sink.Isolated ? Task.Run(() => target.DisposeAsync().AsTask()) : target.DisposeAsync().AsTask();
                    await disposal.WaitAsync(remaining).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    SelfLog.Write(sink.Name, $"dispose did not complete: {ex.GetType().Name}: {ex.Message}");
                }
            }
            _metrics.Dispose();
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        // Run on the thread pool so that a synchronisation context of the caller cannot deadlock us.
        Task.Run(async () => await DisposeAsync().ConfigureAwait(false)).GetAwaiter().GetResult();
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        try { Dispose(); }
        catch (Exception ex) { SelfLog.Write("pipeline", $"flush at process exit failed: {ex.Message}"); }
    }

    internal bool WriterIdle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Volatile.Read(ref _writerIdle) != 0;
    }

    internal ref int WriterIdleFlag => ref _writerIdle;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void WakeWriter()
    {
        if (Interlocked.Exchange(ref _writerIdle, 0) != 0) _writer.Signal();
    }

    internal void CountDrop(DropReason reason, long count = 1) => Interlocked.Add(ref _dropped[(int)reason], count);

    internal LogProperty Redact(in LogProperty property) => _redactor is null ? property : _redactor.Apply(property);

    /// <summary>The slow path of claiming a slot in <paramref name="ring"/>: it is full, or the pipeline is closed.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal bool ClaimSlow(RingBuffer ring, out long position)
    {
        if (_closed)
        {
            CountDrop(DropReason.Shutdown);
            position = 0;
            return false;
        }
        if (_writer.Failed)
        {
            // The writer failed and closed the ring: whatever the policy, the call is lost.
            CountDrop(DropReason.WriterFailed);
            position = 0;
            return false;
        }
        if (Volatile.Read(ref _writerIdle) != 0) WakeWriter();
        if (Backpressure == BackpressurePolicy.DropNewest)
        {
            CountDrop(DropReason.QueueFull);
            position = 0;
            return false;
        }
        long deadline = Backpressure == BackpressurePolicy.WaitThenDrop ? Environment.TickCount64 + (long)_waitTimeout.TotalMilliseconds : long.MaxValue;
        var spin = new SpinWait();
        while (true)
        {
            if (Volatile.Read(ref _writerIdle) != 0) WakeWriter();
            // A ring that is full while the writer reads it frees a cell every few tens of nanoseconds: spin (and
            // yield) briefly. Still full after that, the writer is formatting and handing off a batch, which frees
            // nothing until its next read: block until it signals room instead of taking CPU it needs.
            if (spin.Count < SpinsBeforeBlocking) spin.SpinOnce(sleep1Threshold: -1);
            else WaitForRoom(ring, deadline);
            if (ring.TryClaim(Thread.CurrentThread, out position)) return true;
            if (_writer.Stopped)
            {
                // Closed: the writer stopped as asked. Not closed: it failed, and nothing will free a slot;
                // waiting would hang the application.
                CountDrop(_closed ? DropReason.Shutdown : DropReason.WriterFailed);
                return false;
            }
            if (Environment.TickCount64 >= deadline)
            {
                // (At the deadline itself WaitForRoom no longer waits: >=, or the loop would spin until the next tick.)
                CountDrop(DropReason.QueueFull);
                return false;
            }
        }
    }

    /// <summary>
    /// Rounds of <see cref="SpinWait.SpinOnce(int)"/> (spins, then yields) before a caller facing a full ring blocks in
    /// <see cref="WaitForRoom"/>: a few microseconds.
    /// </summary>
    private const int SpinsBeforeBlocking = 20;

    /// <summary>The longest single wait in <see cref="WaitForRoom"/>: a safety net, not a mechanism (the writer signals).</summary>
    private const int RoomWaitSliceMs = 10;

    /// <summary>
    /// A caller blocks here until the writer has freed cells (<see cref="SignalRoom"/>), the writer has stopped, or
    /// <paramref name="deadline"/> or one <see cref="RoomWaitSliceMs"/> has passed. The caller counts itself as a
    /// waiter (a full fence) before it looks at the ring again, and the writer fences after freeing cells before it
    /// reads the count: one of the two always sees the other, so no signal is lost.
    /// </summary>
    private void WaitForRoom(RingBuffer ring, long deadline)
    {
        lock (_roomGate)
        {
            Interlocked.Increment(ref _roomWaiters);
            try
            {
                if (ring.HasRoom || _writer.Stopped) return;
                long wait = Math.Min(RoomWaitSliceMs, deadline - Environment.TickCount64);
                if (wait <= 0) return;
                _roomWaits++;
                if (Monitor.Wait(_roomGate, (int)wait)) _roomWaitsSignalled++;
            }
            finally
            {
                Interlocked.Decrement(ref _roomWaiters);
            }
        }
    }

    /// <summary>For tests: waits begun in <see cref="WaitForRoom"/>, and those of them that the writer's signal ended (not the time slice).</summary>
    internal (long Begun, long Signalled) RoomWaits
    {
        get { lock (_roomGate) return (_roomWaits, _roomWaitsSignalled); }
    }

    /// <summary>Writer thread, after freeing cells: wakes the callers waiting for room, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SignalRoom()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _roomWaiters) != 0) PulseRoomWaiters();
    }

    /// <summary>Wakes every caller waiting for room (the writer also calls it when it stops, whatever the count).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void PulseRoomWaiters()
    {
        lock (_roomGate) Monitor.PulseAll(_roomGate);
    }

    private static class TypeNameCache<T>
    {
        public static readonly string Name = typeof(T).FullName ?? typeof(T).Name;
    }
}

/// <summary>Delivery counters of one sink, as seen by the pipeline.</summary>
/// <param name="Name">The sink's name.</param>
/// <param name="EventsEmitted">Events handed to the sink's <c>Emit</c> without it throwing.</param>
/// <param name="Failures">Batches on which <c>Emit</c> threw.</param>
/// <param name="EventsDropped">Events not given to the sink because it was stalled in an earlier <c>Emit</c>.</param>
/// <param name="Stalled">True while an <c>Emit</c> call has exceeded the stall timeout and not returned.</param>
/// <param name="Sink">The sink itself (cast to <see cref="ISinkCounters"/> for its own counters).</param>
public readonly record struct SinkStatus(string Name, long EventsEmitted, long Failures, long EventsDropped, bool Stalled, ILogSink Sink);
