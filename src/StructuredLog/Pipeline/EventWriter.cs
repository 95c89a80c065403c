using System.Diagnostics;
using System.Runtime.CompilerServices;
using StructuredLog.Context;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Filtering;
using StructuredLog.Formatting;

namespace StructuredLog.Pipeline;

/// <summary>
/// The pipeline's single consumer: a dedicated thread that drains the ring in batches, turns slots
/// into <see cref="EventRecord"/>s (templates resolved lazily, here), applies filters, sampling,
/// rate limits and enrichers, and hands each batch to every sink. Everything in this class runs on
/// that thread unless marked otherwise.
/// </summary>
internal sealed class EventWriter
{
    private const int IdleSpins = 16;
    /// <summary>Polls of ~1 ms after the ring went empty before the writer sleeps until woken (~100 ms), while events come in bursts.</summary>
    private const int LightSleeps = 100;
    /// <summary>
    /// The poll budget once events have been coming further apart than <see cref="ShortGapPolls"/> polls (a quiet
    /// application): polling through a 20 ms gap would cost 20 timer wake-ups to save the caller one futex wake.
    /// </summary>
    private const int QuietLightSleeps = 2;
    /// <summary>Events that arrive within this many polls of the ring going empty count as a burst.</summary>
    private const int ShortGapPolls = 2;
    private const int MaxTrackedTemplates = 10_000;
    private static readonly MessageTemplate s_dropTemplate = MessageTemplate.Parse("{DroppedCount} events were dropped: {Reason}");
    private static readonly MessageTemplate s_suppressedTemplate = MessageTemplate.Parse("Suppressed {SuppressedCount} similar events: {Template}");

    private readonly LogPipeline _pipeline;
    // The ring being read: the pipeline's one ring, or with thread lanes the lane whose event is being materialised.
    private RingBuffer _ring;
    private readonly LaneSet? _lanes;
    /// <summary>Thread lanes: how far behind the clock the writer stays, in clock counts (see <see cref="DrainLanes"/>).</summary>
    private readonly long _laneLag;
    /// <summary>Thread lanes: every event stamped before this count has been consumed (the flush target's unit).</summary>
    private long _drainedThrough = long.MinValue;
    private long[] _headStamps = [];
    private long[] _headPositions = [];
    private readonly int _batchSize;
    private readonly EventRecord[] _records;
    private LogEvent[] _accepted;
    private LogEvent[] _perSink;
    private readonly List<EventRecord> _synthetic = new();
    private int _syntheticUsed;
    private FormatArena _arena = new();
    private bool _recordsAbandoned;
    private readonly TimeSpan _stallTimeout;
    private readonly Queue<(string Sink, bool Stalled, long Dropped)> _notices = new();
    private readonly ILogEnricher[] _enrichers;
    private readonly Func<LogEvent, bool>[] _filters;
    private readonly SamplingRule[] _sampling;
    private readonly RateLimitRule? _rateLimit;
    private readonly int _maxValueChars;
    private readonly EnrichmentTarget _enrichment = new();
    private readonly TemplateResolver _templates = new();

    /// <summary>
    /// Identifies this writer's scope plans on the (process-wide) templates: a token rather than the writer itself, so
    /// that a template kept after the pipeline is gone does not keep the writer and its ring alive.
    /// </summary>
    private readonly object _scopePlanOwner = new();
    private readonly TimestampClock _clock = new();
    private readonly bool _coarseClock;
    private readonly Dictionary<(MessageTemplate, int), long> _sampleCounters = new();
    private readonly Dictionary<MessageTemplate, RateBucket> _buckets = new();
    private readonly Random _random = new();
    private readonly Queue<(long Target, TaskCompletionSource Done)> _flushRequests = new();
    private readonly object _flushLock = new();
    private readonly ManualResetEventSlim _wake = new(false, 0);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _loopExited; // under _flushLock
    private bool _failed;
    private volatile bool _failForTest;

    private readonly long[] _reportedDrops = new long[Enum.GetValues<DropReason>().Length];
    private long _lastDropReport;
    private long _lastHousekeeping;
    private int _pendingFlushes;
    private long _lastSummarySweep;
    private long _lastLaneSweep;
    private volatile bool _stopRequested;
    private long _processed;
    private Thread? _thread;
    private readonly bool _parallelFormatting;
    private FormatWorker? _formatWorker;
    private int _drainAccepted; // events of the last Drain that passed the filters, in _accepted
    private bool _drainShared; // the last Drain started the format worker on its batch
    /// <summary>Below this many events a batch is formatted by the writer alone (the hand-off costs a wake-up).</summary>
    private const int MinParallelBatch = 64;

    public EventWriter(LogPipeline pipeline, LogPipelineBuilder b)
    {
        _pipeline = pipeline;
        _ring = pipeline.Ring;
        _lanes = pipeline.Lanes;
        _batchSize = _lanes is null ? Math.Min(b.WriterBatchSizeValue, _ring.Capacity) : b.WriterBatchSizeValue;
        _laneLag = LaneLagCounts();
        // Records are created as batches first reach each size: a quiet application never pays for 4,096. A pipeline
        // built after another one stopped takes over that one's records (RecordCache).
        _records = RecordCache.Rent(_batchSize);
        // Room for a rate-limit summary before each event, plus the periodic reports.
        _accepted = new LogEvent[2 * _batchSize + 64];
        _perSink = new LogEvent[2 * _batchSize + 64];
        _enrichers = b.Enrichers.ToArray();
        _filters = b.Filters.ToArray();
        _sampling = b.Sampling.ToArray();
        _rateLimit = b.RateLimit;
        _maxValueChars = b.MaxValueCharsValue;
        _stallTimeout = b.SinkStallTimeoutValue;
        _coarseClock = b.TimestampPrecisionValue == TimestampPrecision.Coarse;
        _parallelFormatting = b.ParallelFormattingValue;
        BatchDuration = null;
    }

    public long Processed => Interlocked.Read(ref _processed);

    public bool Stopped => _exited.Task.IsCompleted;

    /// <summary>True once the writer thread has failed (set before it closes the ring).</summary>
    public bool Failed => Volatile.Read(ref _failed);

    /// <summary>Tests only: makes the writer thread fail at its next housekeeping, as a bug in it would.</summary>
    internal void FailForTest()
    {
        _failForTest = true;
        _wake.Set();
    }

    /// <summary>For tests: the records batches are read into (created as batches first reach each size).</summary>
    internal EventRecord[] Records => _records;

    /// <summary>Set by the metrics: records the time to process one batch, in milliseconds.</summary>
    public Action<double>? BatchDuration { get; set; }

    public void Start()
    {
        foreach (var sink in _pipeline.Sinks) sink.Start();
        if (_parallelFormatting) _formatWorker = FormatWorker.Create(_pipeline.Sinks);
        _thread = new Thread(Run) { IsBackground = true, Name = "StructuredLog writer" };
        _thread.Start();
    }

    /// <summary>Any thread: wakes the writer if it sleeps.</summary>
    public void Signal() => _wake.Set();

    /// <summary>Any thread: completes when everything before <paramref name="target"/> is written and the sinks are flushed.</summary>
    public Task RequestFlush(long target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_flushLock)
        {
            // A writer that has exited (stopped, or failed) completes no more requests: nothing left to wait for.
            if (_loopExited) return Task.CompletedTask;
            _flushRequests.Enqueue((target, done));
            _pendingFlushes = _flushRequests.Count;
        }
        Volatile.Write(ref _pipeline.WriterIdleFlag, 0);
        _wake.Set();
        return done.Task;
    }

    /// <summary>Any thread: drains what was logged, then stops the thread (bounded by <paramref name="timeout"/>).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _stopRequested = true;
        _wake.Set();
        try
        {
            await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            SelfLog.Write("pipeline", $"shutdown timed out after {timeout.TotalSeconds:F1} s with {_lanes?.Depth ?? _ring.Depth} events unwritten");
        }
    }

    private void Run()
    {
        bool stoppedNormally = false;
        try
        {
            Loop();
            stoppedNormally = true;
        }
        catch (Exception ex)
        {
            // Only a bug in the writer itself gets here; report it rather than take the process down. Nothing
            // will drain the ring again: close it, so that later calls are counted at once instead of filling
            // it, and count what it holds now rather than at disposal.
            Volatile.Write(ref _failed, true);
            long unwritten = _lanes?.Close() ?? _ring.Close();
            if (unwritten > 0) _pipeline.CountDrop(DropReason.WriterFailed, unwritten);
            SelfLog.Write("pipeline", $"writer thread failed ({unwritten} events logged before it were not written): {ex}");
        }
        finally
        {
            _formatWorker?.Stop();
            // Nothing uses the records any more (the worker has stopped; a sink that stalled kept a batch whose records were
            // replaced at once): the next pipeline of the process may take them.
            if (stoppedNormally && !_recordsAbandoned) RecordCache.Return(_records);
            lock (_flushLock)
            {
                _loopExited = true;
                while (_flushRequests.TryDequeue(out var r)) r.Done.TrySetResult();
            }
            _exited.TrySetResult();
            // After Stopped is true: callers waiting for room wake up and see that nothing will free a cell again.
            _pipeline.PulseRoomWaiters();
        }
    }

    // A thread's loop, entered once per pipeline and left only at disposal: compiled fully optimised at once. Tiered
    // compilation would run it as tier-0 code (then on-stack replacement) for the pipeline's whole life, and move it to
    // instrumented tier-0 after 30 pipelines, which a process that builds pipelines one after another then runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        int idle = 0;
        int lightSleeps = 0;
        int pollBudget = LightSleeps;
        bool deepSlept = false;
        while (true)
        {
            int n = Drain();
            if (n > 0)
            {
                // How long the ring stayed empty decides how long to poll next time: events that came back
                // within a poll or two are a burst (keep polling, callers never pay for a wake-up); events that
                // took longer, or had to wake the writer, are a quiet application (poll briefly, then sleep).
                if (deepSlept || lightSleeps > ShortGapPolls) pollBudget = QuietLightSleeps;
                else if (idle > 0) pollBudget = LightSleeps;
                deepSlept = false;
                ProcessBatch(n);
                idle = 0;
                lightSleeps = 0;
                // Under sustained load the writer never idles: reports, summaries and flushes still
                // have to happen, so check for them between batches (cheap: a counter and a clock read).
                if (Volatile.Read(ref _pendingFlushes) > 0 || Environment.TickCount64 - _lastHousekeeping >= 1000)
                    Housekeeping(final: false);
                continue;
            }
            Housekeeping(final: false);
            if (Pending())
            {
                // A producer has claimed a slot and is about to publish it (with thread lanes, also: events stamped less
                // than the lag ago, which wait for the clock to pass them).
                Thread.SpinWait(20);
                continue;
            }
            if (_stopRequested)
            {
                Housekeeping(final: true);
                if (!Pending() && _syntheticUsed == 0) return;
                continue;
            }
            if (++idle < IdleSpins)
            {
                if (idle % 8 == 0) Thread.Yield();
                else Thread.SpinWait(30);
                continue;
            }
            if (lightSleeps < pollBudget)
            {
                // Light sleep: poll about every millisecond without advertising idleness, so that callers
                // logging in bursts never pay for waking this thread (a futex system call, microseconds,
                // which was most of the callers' p99.9). Flush and stop requests set the event: no delay.
                lightSleeps++;
                _wake.Wait(1);
                _wake.Reset();
                continue;
            }
            // Deep sleep after ~100 ms without events. Producers read the idle flag after their CAS on the enqueue position (a full fence),
            // and we read the enqueue position after setting the flag (a full fence): one of us sees the other. The thread a
            // ring is biased to claims without a fence (RingBuffer.TryClaim): while the bias holds, every thread is made to pass
            // one here instead, so that its claim is visible below or it sees the flag (once per deep sleep: microseconds).
            _wake.Reset();
            Interlocked.Exchange(ref _pipeline.WriterIdleFlag, 1);
            // Thread lanes are biased to their threads for good.
            if (_lanes is not null || !_ring.BiasRevoked) Interlocked.MemoryBarrierProcessWide();
            if (!Pending() && !_stopRequested && !HasFlushRequests())
                _wake.Wait(100);
            Interlocked.Exchange(ref _pipeline.WriterIdleFlag, 0);
            deepSlept = true;
            idle = 0; // lightSleeps stays spent: an idle pipeline does not go back to polling until events arrive
        }
    }

    /// <summary>True when a claimed event has not been consumed yet (in the ring, or in any thread lane).</summary>
    private bool Pending() => _lanes is null ? _ring.EnqueuePosition != _ring.DequeuePosition : _lanes.AnyPending();

    private bool HasFlushRequests()
    {
        lock (_flushLock) return _flushRequests.Count > 0;
    }

    private void Housekeeping(bool final)
    {
        if (_failForTest) throw new InvalidOperationException("writer failure injected by a test");
        long now = Environment.TickCount64;
        _lastHousekeeping = now;
        bool flushDue = HasFlushRequests();
        if (final || flushDue || now - _lastDropReport >= 1000) ReportDrops(now);
        if (_rateLimit is not null && (final || flushDue || now - _lastSummarySweep >= 1000)) SweepSuppressed(now);
        while (_notices.TryDequeue(out var notice)) SinkNotice(notice.Sink, notice.Stalled, notice.Dropped);
        if (_syntheticUsed > 0) ProcessBatch(0);
        if (_lanes is not null && (final || now - _lastLaneSweep >= 1000))
        {
            _lastLaneSweep = now;
            _lanes.DropEnded();
        }
        if (flushDue) CompleteFlushes();
    }

    private void CompleteFlushes()
    {
        // A target is a position in the ring, or with thread lanes a clock count (LogPipeline.FlushAsync).
        long done = _lanes is null ? _ring.DequeuePosition : Volatile.Read(ref _drainedThrough);
        while (true)
        {
            (long Target, TaskCompletionSource Done) request;
            lock (_flushLock)
            {
                if (!_flushRequests.TryPeek(out request) || request.Target > done) return;
                _flushRequests.Dequeue();
                _pendingFlushes = _flushRequests.Count;
            }
            // Sinks whose flush is already complete (nothing pending) cost nothing; only the others are waited for.
            List<Task>? pending = null;
            foreach (var s in _pipeline.Sinks)
            {
                if (s.Stalled) continue; // cannot be flushed while stuck; reported when it stalled
                var sink = s.Sink;
                Task task;
                try
                {
                    if (s.Isolated)
                    {
                        task = Task.Run(() => sink.FlushAsync().AsTask());
                    }
                    else
                    {
                        var flush = sink.FlushAsync();
                        if (flush.IsCompletedSuccessfully) continue;
                        task = flush.AsTask();
                    }
                }
                catch (Exception ex) { task = Task.FromException(ex); }
                (pending ??= new List<Task>(_pipeline.Sinks.Length)).Add(task);
            }
            if (pending is null)
            {
                request.Done.TrySetResult();
                continue;
            }
            var all = pending.Count == 1 ? pending[0] : Task.WhenAll(pending);
            all.ContinueWith(static (t, state) =>
            {
                if (t.IsFaulted) SelfLog.Write("pipeline", $"a sink failed to flush: {t.Exception?.GetBaseException().Message}");
                ((TaskCompletionSource)state!).TrySetResult();
            }, request.Done, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Copies up to one batch of published slots into records, releases the slots, and filters and enriches
    /// each record at once (<see cref="_accepted"/>[0..<see cref="_drainAccepted"/>)). Once the batch is large
    /// enough, the format worker starts formatting the accepted events while the rest are still being read.
    /// </summary>
    private int Drain()
    {
        if (_lanes is not null) return DrainLanes();
        long now = PreciseClock.Now();
        _clock.AnchorIfStale(now);
        // The writer reads the clock here anyway: it keeps the coarse clock fresh too when it is busy.
        if (_coarseClock) CoarseClock.Advance(now);
        var worker = _formatWorker;
        bool shared = false;
        int published = 0;
        int n = 0;
        int accepted = 0;
        while (n < _batchSize && _ring.TryPeek(out long pos))
        {
            var record = _records[n] ??= new EventRecord();
            Materialize(ref _ring.Cell(pos), pos, record);
            _ring.Release(pos);
            n++;
            if (!Accept(record, ref accepted)) continue;
            Enrich(record);
            _accepted[accepted++] = new LogEvent(record);
            if (worker is null) continue;
            if (shared)
            {
                if (accepted - published >= FormatWorker.Chunk) worker.Extend(published = accepted);
            }
            else if (accepted >= MinParallelBatch)
            {
                worker.Begin(_accepted, published = accepted);
                shared = true;
            }
        }
        _drainAccepted = accepted;
        _drainShared = shared;
        // Callers blocked on a full ring (LogPipeline.WaitForRoom) can fill the freed cells while this batch is processed.
        if (n > 0) _pipeline.SignalRoom();
        return n;
    }

    /// <summary>How far behind the clock <see cref="DrainLanes"/> stays: 100 µs, in clock counts.</summary>
    private static long LaneLagCounts()
    {
        const double LagTicks = 1_000; // 100 µs in DateTime ticks
        double ticksPerCount = PreciseClock.UsesCycleCounter ? PreciseClock.StartTicksPerCount : PreciseClock.TicksPerStopwatch;
        return Math.Max(1, (long)(LagTicks / ticksPerCount));
    }

    /// <summary>
    /// <see cref="Drain"/> for thread lanes: takes up to one batch of events from every lane, in timestamp order, as far
    /// as the clock read on entry less <see cref="_laneLag"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each lane is one thread's, so its events are in timestamp order (one thread, a monotonic clock), and the merge takes
    /// the lane head with the earliest stamp each time. What it must never do is write an event before one that happened
    /// before it on another thread (A, then a hand-off, then B elsewhere: A is published before B is even claimed). It
    /// reads the clock (T) before it reads any lane, and takes only events stamped before T − lag. A producer stamps its
    /// event after claiming the cell, so an event it takes was claimed before T, and every event that happened before it
    /// was published before T (and is stamped earlier still): each lane's position is read after T, so all of them are
    /// seen, and the merge writes them first. The lag (100 µs) covers a stamp read before the claim's store is visible to
    /// other cores (the lane's claim is a plain store). A lane whose next cell is claimed but not published (its thread is
    /// in the middle of a call) waits: nothing that thread logged later exists yet, and nothing can have happened after
    /// an event whose call has not returned.
    /// </para>
    /// <para>
    /// A shared lane (threads past the cap take turns in it: <see cref="LaneSet"/>) is in stamp order too, since each
    /// claim is stamped under the lane's lock, but a claimed and unpublished cell can hold up published ones behind it,
    /// and one of those may have happened before an event of another lane. Such a lane blocks the merge at the stamp of
    /// the first published event behind its head (<see cref="Head"/>): events stamped earlier are taken, and the drain
    /// ends when that lane's turn comes. The unpublished cell itself cannot have happened before anything the writer
    /// has seen (its call has not returned).
    /// </para>
    /// <para>
    /// The batch may end before the lanes do; everything stamped before the limit is then not taken yet, so
    /// <see cref="_drainedThrough"/> (the flush targets' measure) only moves when a drain took all of it.
    /// </para>
    /// </remarks>
    private int DrainLanes()
    {
        long now = PreciseClock.Now();
        // The lanes' positions must be read after the clock: rdtsc is not ordered with later loads without a fence.
        if (System.Runtime.Intrinsics.X86.Sse2.IsSupported) System.Runtime.Intrinsics.X86.Sse2.LoadFence();
        else Interlocked.MemoryBarrier();
        _clock.AnchorIfStale(now);
        long limit = now - _laneLag;
        var lanes = _lanes!.Lanes;
        int k = lanes.Length;
        if (_headStamps.Length < k)
        {
            _headStamps = new long[k * 2];
            _headPositions = new long[k * 2];
        }
        var stamps = _headStamps;
        var positions = _headPositions;
        for (int i = 0; i < k; i++) stamps[i] = Head(lanes[i], limit, out positions[i]);
        var worker = _formatWorker;
        bool shared = false;
        int published = 0;
        int n = 0;
        int accepted = 0;
        bool blocked = false;
        while (n < _batchSize)
        {
            int best = -1;
            long bestStamp = long.MaxValue;
            for (int i = 0; i < k; i++)
            {
                if (stamps[i] < bestStamp)
                {
                    bestStamp = stamps[i];
                    best = i;
                }
            }
            if (best < 0) break;
            long pos = positions[best];
            if (pos < 0)
            {
                blocked = true; // a shared lane's unpublished cell holds up the next event in stamp order
                break;
            }
            var lane = lanes[best];
            _ring = lane; // Materialize reads the cell's other parts through _ring
            var record = _records[n] ??= new EventRecord();
            Materialize(ref lane.Cell(pos), pos, record);
            lane.Release(pos);
            stamps[best] = Head(lane, limit, out positions[best]);
            n++;
            // What follows repeats Drain's loop body on purpose: as one inlined method with its counters passed by
            // reference, the one-ring drain measured 7 % slower end to end (session 28, one alternated ab.sh run of 6 rounds).
            if (!Accept(record, ref accepted)) continue;
            Enrich(record);
            _accepted[accepted++] = new LogEvent(record);
            if (worker is null) continue;
            if (shared)
            {
                if (accepted - published >= FormatWorker.Chunk) worker.Extend(published = accepted);
            }
            else if (accepted >= MinParallelBatch)
            {
                worker.Begin(_accepted, published = accepted);
                shared = true;
            }
        }
        if (n < _batchSize && !blocked) Volatile.Write(ref _drainedThrough, limit);
        _drainAccepted = accepted;
        _drainShared = shared;
        if (n > 0) _pipeline.SignalRoom();
        return n;
    }

    /// <summary>
    /// The stamp of <paramref name="lane"/>'s next event if it is published and stamped before <paramref name="limit"/>;
    /// else <see cref="long.MaxValue"/>, or, for a shared lane whose next cell is claimed but not published, the stamp of
    /// the first published event behind it (if stamped before the limit) with a <paramref name="position"/> of -1: the
    /// merge must not go past it (<see cref="DrainLanes"/>).
    /// </summary>
    private static long Head(RingBuffer lane, long limit, out long position)
    {
        if (!lane.TryPeek(out position)) return lane.SharedLane ? FirstPublishedBehind(lane, position, limit, out position) : long.MaxValue;
        long stamp = lane.Cell(position).Timestamp;
        return stamp < limit ? stamp : long.MaxValue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long FirstPublishedBehind(RingBuffer lane, long head, long limit, out long position)
    {
        position = head;
        long end = lane.EnqueuePosition;
        for (long p = head + 1; p < end; p++)
        {
            ref EventSlot cell = ref lane.Cell(p);
            if (Volatile.Read(ref cell.Sequence) != p + 1) continue;
            long stamp = cell.Timestamp; // the lane's stamps rise with its positions: the first published one is the least
            if (stamp >= limit) return long.MaxValue;
            position = -1;
            return stamp;
        }
        return long.MaxValue;
    }

    private void Materialize(ref EventSlot s, long position, EventRecord r)
    {
        r.TimestampTicks = _clock.ToUtcTicks(s.Timestamp);
        r.Level = s.Level;
        // A reference stored into the record costs a GC write barrier (a call), even a null one: references
        // that usually equal what the record holds already (the category, no exception, no scope, no trace,
        // the writer's arena) are compared first and stored only when they differ.
        SetIfChanged(ref r.Category, s.Logger!.Category);
        if (s.HasRare != 0)
        {
            ref ColdSlot c = ref _ring.Cold(position);
            SetIfChanged(ref r.Exception, c.Exception);
            SetIfChanged(ref r.Scope, c.Scope);
            if (r.TraceId != c.TraceId) r.TraceId = c.TraceId;
            if (r.SpanId != c.SpanId) r.SpanId = c.SpanId;
            r.TraceFlags = c.TraceFlags;
            r.EventId = c.EventId;
            SetIfChanged(ref r.EventName, c.EventName);
        }
        else
        {
            // None of the rare fields was stored: the cell's cold part is not read at all.
            SetIfChanged(ref r.Exception, null);
            SetIfChanged(ref r.Scope, null);
            if (r.TraceId != default) r.TraceId = default;
            if (r.SpanId != default) r.SpanId = default;
            r.TraceFlags = default;
            r.EventId = 0;
            SetIfChanged(ref r.EventName, null);
        }
        r.ThreadId = s.ThreadId;
        r.MaxValueChars = _maxValueChars;
        SetIfChanged(ref r.Arena, _arena);
        int count = s.ArgumentCount;
        var overflow = s.Flags == SlotFlags.None ? null : s.Overflow; // a template call with inline values has none
        // The common call (a message template with its values inline in the cell) stays in this method; every other
        // shape is a method of its own. Their struct locals (properties built then copied, bindings) hold references,
        // and the JIT zeroes every such local of a method on entry: inlined here they made this method clear 672
        // bytes of stack per event, a fifth of its time.
        if (s.Flags == SlotFlags.None) MaterializePositional(ref s, position, r, count);
        else if ((s.Flags & SlotFlags.Interpolated) != 0) MaterializeInterpolated(ref s, position, r, count, overflow);
        else MaterializeNamed(ref s, position, r, count, overflow);
        r.ArgumentCount = r.PropertyCount;
        // Parts in an overflow array (the cell's own, or pooled for a very large call) are dropped or returned by the
        // ring's Release, right after this.
    }

    /// <summary>
    /// A message-template call: positional values inline in the cell (the generated overloads take at most
    /// <see cref="EventSlot.InlineArguments"/>, so such a call never has an overflow array).
    /// </summary>
    private void MaterializePositional(ref EventSlot s, long position, EventRecord r, int count)
    {
        var template = _templates.Resolve(s.Template ?? "");
        SetIfChanged(ref r.Template, template);
        r.BindByName = false;
        var redactor = _pipeline.Redactor;
        // Which names are sensitive is known per template (mask, cached on the template); only values past the
        // template's holes are looked up by name.
        bool[] mask = [];
        if (redactor is not null) redactor.AnySensitive(template, out mask);
        var names = template.PropertyNameArray;
        var formats = template.PropertyFormats;
        for (int i = 0; i < count; i++)
        {
            // Each property is built in place in the record's array: building it in a local and copying it
            // (twice, through the redaction choice) made the JIT read 32-byte halves of a struct it had
            // just written field by field, a store-forwarding stall that was most of this method's time.
            ref LogProperty p = ref r.AppendProperty();
            if (i < formats.Length)
            {
                // In place, storing only the references that changed (the same template's name and format as
                // this record's previous event, usually): no write barrier for them.
                if (i < EventSlot.HotValues && (s.WideMask & (1 << i)) == 0)
                    LogProperty.Overwrite(ref p, names[i], s.Kinds[i], ref s.Values[i], formats[i], template.PropertyDestructure[i]);
                else
                    LogProperty.Overwrite(ref p, names[i], _ring.Value(ref s, position, i), formats[i], template.PropertyDestructure[i]);
                if (redactor is not null && (i < mask.Length ? mask[i] : redactor.IsSensitive(names[i]))) Mask(ref p);
            }
            else
            {
                ExtraPositional(ref p, template, i, _ring.Value(ref s, position, i), redactor);
            }
        }
    }

    /// <summary>A positional value past the template's holes: named by <see cref="MessageTemplate.GetPropertyName"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExtraPositional(ref LogProperty p, MessageTemplate template, int i, in LogValue value, Redactor? redactor)
    {
        p = new LogProperty(template.GetPropertyName(i), value);
        if (redactor is not null && redactor.IsSensitive(p.Name)) p = Redactor.Masked(p);
    }

    /// <summary>Masks <paramref name="p"/> in place (kept out of line: its temporary would be zeroed on every call of the caller).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Mask(ref LogProperty p) => p = Redactor.Masked(p);

    /// <summary>An interpolated call: literals and named holes in the parts (or a shape's shared parts with the values inline).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MaterializeInterpolated(ref EventSlot s, long position, EventRecord r, int count, SlotArgument[]? overflow)
    {
        Span<SlotArgument> args = overflow is not null ? overflow.AsSpan(0, count) : _ring.Parts(position)[..count];
        // An interpolated call that matched its call site's shape: the overflow array is the shape's parts
        // (shared, never dropped by the ring's Release) and the values are inline.
        bool shaped = (s.Flags & SlotFlags.Shaped) != 0;
        var redactor = _pipeline.Redactor;
        var template = _templates.ResolveInterpolated(args);
        SetIfChanged(ref r.Template, template);
        r.BindByName = false;
        bool[]? mask = null;
        bool redact = redactor is not null && redactor.AnySensitive(template, out mask);
        int hole = 0;
        foreach (ref readonly var a in args)
        {
            if (a.IsLiteral) continue;
            var token = template.HoleByIndex(hole);
            var p = new LogProperty(token.PropertyName!, shaped ? _ring.Value(ref s, position, hole) : a.Value, token.Format, token.Destructure);
            r.AddProperty(redact && (hole >= mask!.Length || mask[hole]) ? redactor!.Apply(p) : p);
            hole++;
        }
    }

    /// <summary>
    /// Named arguments (<see cref="SlotFlags.NamedArguments"/>: Microsoft.Extensions.Logging state, properties passed by
    /// name), in the parts or inline with <see cref="ColdSlot.Names"/>, followed by the scope pairs of another
    /// framework, if any.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MaterializeNamed(ref EventSlot s, long position, EventRecord r, int count, SlotArgument[]? overflow)
    {
        // Named values inline in the cell (SlotFlags.InlineNames) are bound first, and the parts then hold only the
        // scope pairs; otherwise the parts (or the overflow array) are read in order up to the first scope pair, if any.
        bool inlineNames = (s.Flags & SlotFlags.InlineNames) != 0;
        int partCount = count - (inlineNames ? _ring.Cold(position).Names!.Length : 0);
        Span<SlotArgument> args = overflow is not null ? overflow.AsSpan(0, partCount) : _ring.Parts(position)[..partCount];
        var redactor = _pipeline.Redactor;
        var template = _templates.Resolve(s.Template ?? "");
        SetIfChanged(ref r.Template, template);
        r.BindByName = true;
        bool[] mask = [];
        if (redactor is not null) redactor.AnySensitive(template, out mask);
        var names = template.PropertyNameArray;
        bool inOrder = true;
        if (inlineNames) MaterializeInlineNamed(ref s, position, r, template, mask, redactor, ref inOrder);
        int scopes = inlineNames ? 0 : count; // where the scope properties of another framework begin in args
        for (int i = 0; i < scopes; i++)
        {
            ref readonly var a = ref args[i];
            if (a.IsScopeProperty)
            {
                scopes = i;
                break;
            }
            // Named arguments (e.g. from Microsoft.Extensions.Logging) take {@Name} destructuring from the template's hole of that name.
            var bound = BindNamed(a.Name ?? template.GetPropertyName(i), i, template, mask, redactor);
            if (bound.BreaksOrder(i, names.Length)) inOrder = false;
            ref LogProperty p = ref r.AppendProperty();
            LogProperty.Overwrite(ref p, bound.Name, a.Value, a.Format, bound.Destructure);
            if (bound.Sensitive) Mask(ref p);
        }
        if (scopes < args.Length) ScopePlan.Add(_scopePlanOwner, r, args[scopes..], template, mask, redactor, ref inOrder);
        // Named arguments that fill the template's holes in order (what [LoggerMessage] methods and
        // MEL's LogInformation extensions produce) bind exactly as positional ones: formatters then
        // take the by-index path (numbers and strings formatted once for the message and the property).
        if (inOrder && r.PropertyCount >= names.Length) r.BindByName = false;
    }

    /// <summary>
    /// The inline named values of a <see cref="SlotFlags.InlineNames"/> cell, bound to the template's holes by name like
    /// named arguments in the parts, and written into the record in place (only the references that changed).
    /// </summary>
    private void MaterializeInlineNamed(ref EventSlot s, long position, EventRecord r, MessageTemplate template, bool[] mask, Redactor? redactor, ref bool inOrder)
    {
        var slotNames = _ring.Cold(position).Names!;
        int holes = template.PropertyNameArray.Length;
        for (int i = 0; i < slotNames.Length; i++)
        {
            var bound = BindNamed(slotNames[i] ?? template.GetPropertyName(i), i, template, mask, redactor);
            if (bound.BreaksOrder(i, holes)) inOrder = false;
            ref LogProperty p = ref r.AppendProperty();
            LogProperty.Overwrite(ref p, bound.Name, _ring.Value(ref s, position, i), null, bound.Destructure);
            if (bound.Sensitive) Mask(ref p);
        }
    }

    /// <summary>
    /// How a named property binds <paramref name="template"/>: the hole of that name (looked for first at
    /// <paramref name="expected"/>, where it usually is; -1 for none), whose own string it then takes (formatters use its
    /// precomputed forms) with the hole's destructuring, and whether it is redacted (the template's mask for a hole,
    /// the redactor's look-up for other names). Named arguments, inline named values and scope pairs all bind so.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static NamedBinding BindNamed(string name, int expected, MessageTemplate template, bool[] mask, Redactor? redactor)
    {
        var names = template.PropertyNameArray;
        int hole = IndexOfProperty(names, name, expected);
        if (hole >= 0) name = names[hole];
        bool destructure = hole >= 0 && hole < template.PropertyDestructure.Length && template.PropertyDestructure[hole];
        bool sensitive = redactor is not null && (hole >= 0 && hole < mask.Length ? mask[hole] : redactor.IsSensitive(name));
        return new NamedBinding(name, hole, destructure, sensitive);
    }

    /// <summary>The result of <see cref="BindNamed"/>.</summary>
    internal readonly record struct NamedBinding(string Name, int Hole, bool Destructure, bool Sensitive)
    {
        /// <summary>
        /// Whether the property, at record index <paramref name="index"/> of a template with <paramref name="holes"/> holes,
        /// keeps the properties from binding the holes by position.
        /// </summary>
        public bool BreaksOrder(int index, int holes) => Hole != index && (Hole >= 0 || index < holes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetIfChanged<T>(ref T field, T value) where T : class?
    {
        if (!ReferenceEquals(field, value)) field = value;
    }

    /// <summary>The hole of <paramref name="names"/> called <paramref name="name"/> (tried first at <paramref name="expected"/>, where it usually is), or -1.</summary>
    private static int IndexOfProperty(string[] names, string name, int expected)
    {
        if ((uint)expected < (uint)names.Length && string.Equals(names[expected], name, StringComparison.Ordinal)) return expected;
        for (int i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    private void ProcessBatch(int n)
    {
        long started = Stopwatch.GetTimestamp();
        int accepted = n > 0 ? _drainAccepted : 0;
        if (n > 0 && _drainShared)
        {
            // The worker has been formatting since the batch reached MinParallelBatch events: take what it
            // has not, and wait for the chunks it holds. Synthetic events below are formatted at dispatch.
            _formatWorker!.Finish(accepted);
        }
        if (accepted + _syntheticUsed > _accepted.Length)
        {
            // Many rate-limit summaries at once (one per suppressed template): grow, never lose them.
            Array.Resize(ref _accepted, accepted + _syntheticUsed + 64);
            _perSink = new LogEvent[_accepted.Length];
        }
        for (int i = 0; i < _syntheticUsed; i++)
        {
            if (_synthetic[i].Placed) continue;
            Enrich(_synthetic[i]);
            _accepted[accepted++] = new LogEvent(_synthetic[i]);
        }

        if (accepted > 0) Dispatch(accepted);

        Interlocked.Add(ref _processed, accepted);
        Array.Clear(_accepted, 0, accepted);
        if (_recordsAbandoned)
        {
            ReplaceAbandonedStorage(n);
        }
        else
        {
            for (int i = 0; i < n; i++) _records[i].Clear();
            for (int i = 0; i < _syntheticUsed; i++) _synthetic[i].Clear();
            _arena.Reset();
            _formatWorker?.ResetArena(abandoned: false);
        }
        _syntheticUsed = 0;
        BatchDuration?.Invoke(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void Dispatch(int accepted)
    {
        ReadOnlySpan<LogEvent> all = _accepted.AsSpan(0, accepted);
        // Inline sinks first: they run on this thread and see the batch before any isolated sink can stall holding it.
        foreach (var sink in _pipeline.Sinks)
        {
            if (sink.Isolated) continue;
            var events = ForSink(all, sink);
            if (events.IsEmpty) continue;
            try
            {
                sink.Sink.Emit(events);
                sink.EventsEmitted += events.Length;
            }
            catch (Exception ex)
            {
                sink.Failures++;
                SelfLog.Write(sink.Name, $"Emit threw {ex.GetType().Name}: {ex.Message}");
            }
        }
        bool shared = false; // the current records are held by a stalled sink
        foreach (var sink in _pipeline.Sinks)
        {
            if (!sink.Isolated) continue;
            var dispatcher = sink.Dispatcher!;
            if (sink.Stalled)
            {
                if (dispatcher.Busy)
                {
                    int skipped = ForSink(all, sink).Length;
                    sink.DroppedSinceStall += skipped;
                    Interlocked.Add(ref sink.EventsDropped, skipped);
                    continue;
                }
                sink.Stalled = false;
                _notices.Enqueue((sink.Name, false, sink.DroppedSinceStall));
                SelfLog.Write(sink.Name, $"resumed; {sink.DroppedSinceStall} events were not delivered to it while it was stalled");
            }
            if (shared)
            {
                // Give the remaining sinks private copies: the stalled call may still be reading the originals.
                all = CloneBatch(all);
                shared = false;
            }
            var events2 = ForSink(all, sink);
            if (events2.IsEmpty) continue;
            if (dispatcher.Emit(events2, _stallTimeout)) continue;

            sink.Stalled = true;
            sink.DroppedSinceStall = events2.Length;
            Interlocked.Add(ref sink.EventsDropped, events2.Length);
            _notices.Enqueue((sink.Name, true, 0));
            SelfLog.Write(sink.Name, $"Emit did not return within {_stallTimeout.TotalSeconds:F1} s; the sink is skipped until it does");
            shared = true;
            _recordsAbandoned = true;
        }
        Array.Clear(_perSink, 0, Math.Min(_perSink.Length, accepted));
    }

    private ReadOnlySpan<LogEvent> ForSink(ReadOnlySpan<LogEvent> all, SinkRegistration sink)
    {
        if (sink.MinimumLevel == LogLevel.Trace) return all;
        if (_perSink.Length < all.Length) _perSink = new LogEvent[all.Length];
        int k = 0;
        foreach (ref readonly var e in all)
            if (e.Level >= sink.MinimumLevel) _perSink[k++] = e;
        return _perSink.AsSpan(0, k);
    }

    private static ReadOnlySpan<LogEvent> CloneBatch(ReadOnlySpan<LogEvent> events)
    {
        var arena = new FormatArena();
        var copy = new LogEvent[events.Length];
        for (int i = 0; i < events.Length; i++) copy[i] = new LogEvent(events[i].Record.CloneDetached(arena));
        return copy;
    }

    /// <summary>After a stall, the stalled call keeps the batch's records and arena: take fresh ones, never reuse those.</summary>
    private void ReplaceAbandonedStorage(int n)
    {
        for (int i = 0; i < n; i++) _records[i] = new EventRecord();
        for (int i = 0; i < _syntheticUsed; i++) _synthetic[i] = new EventRecord();
        _arena = new FormatArena();
        _formatWorker?.ResetArena(abandoned: true);
        _recordsAbandoned = false;
    }

    private void Enrich(EventRecord r)
    {
        if (_enrichers.Length == 0) return;
        _enrichment.Reset(r);
        foreach (var enricher in _enrichers)
        {
            try { enricher.Enrich(_enrichment); }
            catch (Exception ex) { SelfLog.Write("enricher", $"{enricher.GetType().Name} threw {ex.GetType().Name}: {ex.Message}"); }
        }
    }

    private bool Accept(EventRecord r, ref int accepted)
    {
        if (_filters.Length > 0)
        {
            var view = new LogEvent(r);
            foreach (var filter in _filters)
            {
                bool keep;
                try { keep = filter(view); }
                catch (Exception ex)
                {
                    SelfLog.Write("filter", $"filter threw {ex.GetType().Name}: {ex.Message}; event kept");
                    keep = true;
                }
                if (!keep)
                {
                    _pipeline.CountDrop(DropReason.Filtered);
                    return false;
                }
            }
        }
        for (int i = 0; i < _sampling.Length; i++)
        {
            var rule = _sampling[i];
            if (r.Level > rule.UpToLevel || (rule.AppliesTo is not null && !SafeApplies(rule.AppliesTo, r.Template))) continue;
            bool keep;
            if (rule.EveryN > 0)
            {
                // Templates built at run time could grow this without bound: start over past a limit.
                if (_sampleCounters.Count >= MaxTrackedTemplates) _sampleCounters.Clear();
                ref long counter = ref CollectionsMarshal_GetRef(_sampleCounters, (r.Template, i));
                keep = counter % rule.EveryN == 0;
                counter++;
            }
            else
            {
                keep = _random.NextDouble() < rule.Probability;
            }
            if (!keep)
            {
                _pipeline.CountDrop(DropReason.Sampled);
                return false;
            }
        }
        if (_rateLimit is { } limit && r.Level <= limit.UpToLevel && (limit.AppliesTo is null || SafeApplies(limit.AppliesTo, r.Template)))
        {
            if (!_buckets.TryGetValue(r.Template, out var bucket))
            {
                if (_buckets.Count >= MaxTrackedTemplates) SweepSuppressed(Environment.TickCount64, clear: true);
                bucket = new RateBucket { Tokens = limit.Burst, LastRefill = r.TimestampTicks };
                _buckets[r.Template] = bucket;
            }
            double elapsedSeconds = Math.Max(0, (r.TimestampTicks - bucket.LastRefill) / (double)TimeSpan.TicksPerSecond);
            bucket.Tokens = Math.Min(limit.Burst, bucket.Tokens + elapsedSeconds * limit.EventsPerSecond);
            bucket.LastRefill = Math.Max(bucket.LastRefill, r.TimestampTicks);
            if (bucket.Tokens < 1)
            {
                bucket.Suppressed++;
                bucket.Level = r.Level;
                bucket.Category = r.Category;
                _pipeline.CountDrop(DropReason.RateLimited);
                return false;
            }
            bucket.Tokens -= 1;
            if (bucket.Suppressed > 0)
            {
                // Tell what was suppressed before this event gets through.
                var summary = SummaryRecord(bucket, r.Template);
                Enrich(summary);
                summary.Placed = true;
                _accepted[accepted++] = new LogEvent(summary);
            }
        }
        return true;
    }

    private static bool SafeApplies(Func<MessageTemplate, bool> predicate, MessageTemplate template)
    {
        try { return predicate(template); }
        catch (Exception) { return false; }
    }

    private static ref long CollectionsMarshal_GetRef(Dictionary<(MessageTemplate, int), long> d, (MessageTemplate, int) key) =>
        ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(d, key, out _);

    private EventRecord SummaryRecord(RateBucket bucket, MessageTemplate template)
    {
        var r = NextSynthetic();
        r.TimestampTicks = DateTime.UtcNow.Ticks;
        r.Level = bucket.Level;
        r.Category = bucket.Category;
        r.Template = s_suppressedTemplate;
        r.AddProperty(new LogProperty("SuppressedCount", LogValue.From(bucket.Suppressed)));
        r.AddProperty(new LogProperty("Template", LogValue.From(template.Text)));
        r.ArgumentCount = 2;
        bucket.Suppressed = 0;
        return r;
    }

    private void SweepSuppressed(long now, bool clear = false)
    {
        _lastSummarySweep = now;
        foreach (var (template, bucket) in _buckets)
        {
            if (bucket.Suppressed == 0) continue;
            SummaryRecord(bucket, template);
        }
        // Past the bound, buckets start over (after their summaries were written): memory stays bounded.
        if (clear) _buckets.Clear();
    }

    private void ReportDrops(long now)
    {
        _lastDropReport = now;
        foreach (var reason in (ReadOnlySpan<DropReason>)[DropReason.QueueFull, DropReason.Shutdown])
        {
            long total = _pipeline.GetDroppedCount(reason);
            long delta = total - _reportedDrops[(int)reason];
            if (delta <= 0) continue;
            _reportedDrops[(int)reason] = total;
            var r = NextSynthetic();
            r.TimestampTicks = DateTime.UtcNow.Ticks;
            r.Level = LogLevel.Warn;
            r.Category = "StructuredLog";
            r.Template = s_dropTemplate;
            r.AddProperty(new LogProperty("DroppedCount", LogValue.From(delta)));
            r.AddProperty(new LogProperty("Reason", LogValue.From(reason == DropReason.QueueFull ? "ring buffer full" : "logged after shutdown")));
            r.ArgumentCount = 2;
            SelfLog.Write("pipeline", $"{delta} events dropped ({reason})");
        }
    }

    private static readonly MessageTemplate s_stalledTemplate = MessageTemplate.Parse("Sink {Sink} stalled: Emit did not return in time; it is skipped until it does");
    private static readonly MessageTemplate s_resumedTemplate = MessageTemplate.Parse("Sink {Sink} resumed; {DroppedCount} events were not delivered to it");

    private void SinkNotice(string sinkName, bool stalled, long dropped)
    {
        var r = NextSynthetic();
        r.TimestampTicks = DateTime.UtcNow.Ticks;
        r.Level = LogLevel.Warn;
        r.Category = "StructuredLog";
        r.Template = stalled ? s_stalledTemplate : s_resumedTemplate;
        r.AddProperty(new LogProperty("Sink", LogValue.From(sinkName)));
        if (!stalled) r.AddProperty(new LogProperty("DroppedCount", LogValue.From(dropped)));
        r.ArgumentCount = r.PropertyCount;
    }

    private EventRecord NextSynthetic()
    {
        if (_syntheticUsed == _synthetic.Count) _synthetic.Add(new EventRecord());
        var r = _synthetic[_syntheticUsed++];
        r.Arena = _arena;
        r.MaxValueChars = _maxValueChars;
        return r;
    }

    private sealed class RateBucket
    {
        public double Tokens;
        public long LastRefill;
        public long Suppressed;
        public LogLevel Level;
        public string Category = "";
    }
}
