using System.Buffers;
using System.Runtime.CompilerServices;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks;

/// <summary>
/// The base of every sink that does I/O. <see cref="Emit"/> (writer thread) only copies each event's
/// formatted bytes into a bounded in-memory queue; a thread of the sink's own sends batches through
/// <see cref="WriteBatchAsync"/> when <see cref="BatchingOptions.BatchSizeLimit"/> events are queued or
/// <see cref="BatchingOptions.Period"/> has passed. Failures are retried with exponential backoff and
/// jitter, honouring a peer's <c>Retry-After</c>; batches are sent strictly in order, so a retried
/// batch is never overtaken. By default a slow or dead destination never blocks the writer thread: once
/// the queue is full, new events are dropped and counted (<see cref="EventsDropped"/>). With
/// <see cref="BatchingOptions.FullMode"/> = <see cref="QueueFullMode.Block"/> the writer instead waits
/// for room (up to <see cref="BatchingOptions.BlockTimeout"/>), so that back-pressure reaches the callers
/// and nothing is lost to a destination that is only slow.
/// A derived class adds only its protocol.
/// </summary>
public abstract class BatchingSink : ILogSink, ISinkCounters
{
    private const int ChunkSize = 64 * 1024;
    private const int OversizedPayload = ChunkSize / 4;
    private const int MaxFreeChunks = 1024;   // 64 MB

    // Everything below is guarded by _lock unless marked otherwise. The I/O thread sleeps in
    // Monitor.Wait(_lock) (a kernel wait, no spinning); whoever makes work for it pulses only when it
    // is actually waiting (_ioWaiting), so a busy sink costs the writer thread no wake-ups.
    private readonly object _lock = new();
    private readonly object _emitLock = new();

    // The queue: a circular array (a power of two long) of entries at absolute positions; an entry's
    // position is also its Sequence. [_head, _takenEnd) is the batch in flight (the LogBatch views
    // those entries in place), [_takenEnd, _tail) is queued, and from _tail on the writer thread stages
    // the entries of the Emit in progress before publishing them by moving _tail. Only the writer
    // replaces the array (to grow it); a batch in flight keeps reading the old one, which never changes.
    private BufferedLogEvent[] _entries = new BufferedLogEvent[256];
    private long _head;        // all events before it are written or given up on
    private long _takenEnd;
    private long _tail;
    private long _queuedBytes; // bytes of [_takenEnd, _tail)

    // Payload bytes: the writer fills _chunk (writer thread only) and seals it when full; sealed chunks
    // (and the own buffers of oversized payloads) wait in _sealed, oldest first, until their last
    // event is done, then go back to _freeChunks. Chunks are stored in the order their last events
    // were, so the front of _sealed is always the first to be done.
    private Chunk _chunk = Chunk.Standard();
    private readonly Queue<Chunk> _sealed = new();
    private readonly Stack<Chunk> _freeChunks = new();
    private readonly Stack<Chunk> _freeOversized = new();   // wrappers of oversized payloads' pooled buffers

    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = new();
    private readonly LogBatch _batch = new();               // I/O thread only
    private readonly CancellationTokenSource _hardStop = new();
    private readonly TaskCompletionSource _loopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _flushRequested;
    private bool _ioWaiting;
    private bool _emitWaiting;                              // the writer waits in WaitForRoom (block mode)
    private bool _blockTimedOut;                            // a block-mode wait timed out; cleared by the next take
    private bool _closed;                                   // disposal finished its accounting: nothing is queued any more
    private volatile bool _disposing;
    private Lazy<Task>? _disposal;
    private Task? _loop;
    private long _written, _failed, _dropped, _retries, _batches;

    /// <summary>Creates the sink; its I/O thread starts on the first event.</summary>
    protected BatchingSink(string name, ILogFormatter formatter, BatchingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Formatter = formatter ?? throw new ArgumentNullException(nameof(formatter));
        Options = options ?? new BatchingOptions();
        Options.Validate();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The formatter whose output this sink sends.</summary>
    public ILogFormatter Formatter { get; }

    /// <summary>The batching options.</summary>
    protected BatchingOptions Options { get; }

    /// <inheritdoc />
    public long EventsWritten => Interlocked.Read(ref _written);

    /// <inheritdoc />
    public long EventsFailed => Interlocked.Read(ref _failed);

    /// <inheritdoc />
    public long EventsDropped => Interlocked.Read(ref _dropped);

    /// <summary>Retries performed so far.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Batches written successfully.</summary>
    public long BatchesWritten => Interlocked.Read(ref _batches);

    /// <summary>What this sink does when its queue is full (<see cref="BatchingOptions.FullMode"/>).</summary>
    public QueueFullMode FullMode => Options.FullMode;

    /// <summary>Events waiting in memory.</summary>
    public int QueuedEvents { get { lock (_lock) return (int)(_tail - _takenEnd); } }

    /// <summary>
    /// Sends one batch. Throw <see cref="SinkWriteException"/> to say whether to retry; any other exception is retried.
    /// Called on the sink's own I/O thread, one batch at a time; a task that is not complete when returned
    /// is waited for on that thread, so a synchronous implementation (returning a completed task) costs nothing extra.
    /// </summary>
    protected abstract Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken);

    /// <summary>Called once when the sink is disposed, after the queue was drained (or the shutdown timeout passed).</summary>
    protected virtual ValueTask OnDisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// Called when a batch is given up on (permanent error or retries exhausted). The default reports it
    /// through the self-log; the events are counted in <see cref="EventsFailed"/> either way.
    /// </summary>
    protected virtual void OnBatchFailed(LogBatch batch, Exception error) =>
        SelfLog.Write(Name, $"gave up on a batch of {batch.Count} events: {error.GetType().Name}: {error.Message}");

    /// <inheritdoc />
    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        if (batch.IsEmpty) return;
        // Emit calls are serialised (one writer thread normally; a sink shared by two pipelines gets two):
        // staging owns the open chunk and the entries beyond _tail. Uncontended, this is one cheap lock per batch.
        lock (_emitLock) EmitCore(batch);
    }

    private void EmitCore(ReadOnlySpan<LogEvent> batch)
    {
        long deadline = 0;
        while (true)
        {
            // Block mode waits for room instead of dropping, unless an earlier wait already timed out and
            // the destination has not taken anything since (then it drops at once, as DropNewest does).
            bool block = Options.FullMode == QueueFullMode.Block && !Volatile.Read(ref _blockTimedOut);
            int done = StageAndPublish(batch, block, out int neededBytes);
            if (done == batch.Length) return;
            // Block mode, and the event at 'done' did not fit: wait until the I/O thread takes a batch.
            if (!WaitForRoom(neededBytes, ref deadline))
            {
                Interlocked.Add(ref _dropped, batch.Length - done);
                return;
            }
            batch = batch[done..];
        }
    }

    /// <summary>
    /// Stages as many events of <paramref name="batch"/> as the queue has room for and publishes them.
    /// Returns how many events were dealt with from the front: with <paramref name="block"/> it stops at the
    /// first one that does not fit (its size in <paramref name="neededBytes"/>); otherwise the ones that do
    /// not fit are dropped and counted, and the whole batch is dealt with.
    /// </summary>
    private int StageAndPublish(ReadOnlySpan<LogEvent> batch, bool block, out int neededBytes)
    {
        neededBytes = 0;
        if (_disposing)
        {
            Interlocked.Add(ref _dropped, batch.Length);
            return batch.Length;
        }
        long tail, roomEvents, roomBytes;
        BufferedLogEvent[] entries;
        lock (_lock)
        {
            if (_closed)
            {
                Interlocked.Add(ref _dropped, batch.Length);
                return batch.Length;
            }
            tail = _tail;
            roomEvents = Options.QueueLimit - (_tail - _takenEnd);
            roomBytes = Options.QueueBytesLimit - _queuedBytes;
            EnsureCapacity(_tail - _head + Math.Min(batch.Length, roomEvents));
            entries = _entries;
            // Nothing queued or in flight refers to any payload: the open chunk starts over, so a
            // trickle of events keeps reusing the same memory.
            if (_head == _tail) _chunk.Position = 0;
            _loop ??= StartLoop();
        }

        // Staging, without the lock: the entries from _tail on and the open chunk are this thread's.
        // The room was measured above and only grows meanwhile (the I/O thread only takes), so the
        // bounds hold; one memcpy per event into the chunk.
        int mask = entries.Length - 1;
        long position = tail;
        long bytesAdded = 0;
        int dropped = 0;
        int handled = 0;
        foreach (ref readonly var e in batch)
        {
            var bytes = e.GetFormatted(Formatter);
            if (position - tail >= roomEvents || bytesAdded + bytes.Length > roomBytes)
            {
                // An event larger than the whole byte bound can never fit: dropped even in block mode.
                if (block && bytes.Length <= Options.QueueBytesLimit)
                {
                    neededBytes = bytes.Length;
                    break;
                }
                dropped++;
                handled++;
                continue;
            }
            entries[(int)(position & mask)] = new BufferedLogEvent(Store(bytes, position), e.Record.TimestampTicks, e.Level, position);
            position++;
            bytesAdded += bytes.Length;
            handled++;
        }

        lock (_lock)
        {
            if (_closed)
            {
                Interlocked.Add(ref _dropped, batch.Length);
                return batch.Length;
            }
            if (dropped > 0) Interlocked.Add(ref _dropped, dropped);
            if (position == tail) return handled;
            bool wasEmpty = _tail == _takenEnd;
            _tail = position;
            _queuedBytes += bytesAdded;
            // An idle I/O thread waits without a timeout: the first queued event must start its Period
            // timer. Otherwise it only needs waking when a batch is full, or when the writer is about to
            // wait for room (block mode), since only a take makes room.
            if (wasEmpty || _tail - _takenEnd >= Options.BatchSizeLimit || handled < batch.Length) WakeLocked();
        }
        return handled;
    }

    /// <summary>
    /// Block mode: waits until the queue has room for one more event of <paramref name="neededBytes"/>, up to
    /// <see cref="BatchingOptions.BlockTimeout"/> from the first wait of this <see cref="Emit"/>. False when
    /// the time is up (later calls then drop at once until the I/O thread takes a batch) or the sink is closing.
    /// </summary>
    private bool WaitForRoom(int neededBytes, ref long deadline)
    {
        lock (_lock)
        {
            while (true)
            {
                if (_closed || _disposing) return false;
                if (_tail - _takenEnd < Options.QueueLimit && _queuedBytes + neededBytes <= Options.QueueBytesLimit) return true;
                long now = Environment.TickCount64;
                if (deadline == 0)
                {
                    deadline = Options.BlockTimeout == Timeout.InfiniteTimeSpan
                        ? long.MaxValue
                        : now + (long)Math.Ceiling(Options.BlockTimeout.TotalMilliseconds);
                }
                long remaining = deadline - now;
                if (remaining <= 0)
                {
                    Volatile.Write(ref _blockTimedOut, true);
                    SelfLog.Write(Name, $"the queue stayed full for {Options.BlockTimeout.TotalSeconds:0.###} s; dropping new events until the destination takes some");
                    return false;
                }
                WakeLocked();
                _emitWaiting = true;
                Monitor.Wait(_lock, (int)Math.Min(remaining, int.MaxValue - 1));
                _emitWaiting = false;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_head >= _tail || _closed) return ValueTask.CompletedTask;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((_tail, done));
            _flushRequested = true;
            WakeLocked();
        }
        return new ValueTask(cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        // Every caller waits for the one disposal (a second call must not return while it is under way).
        var disposal = Interlocked.CompareExchange(ref _disposal, null, null);
        if (disposal is null)
        {
            var mine = new Lazy<Task>(DisposeCoreAsync);
            disposal = Interlocked.CompareExchange(ref _disposal, mine, null) ?? mine;
        }
        return new ValueTask(disposal.Value);
    }

    private async Task DisposeCoreAsync()
    {
        _disposing = true;
        Task? loop;
        lock (_lock)
        {
            WakeLocked();
            WakeEmitterLocked();
            loop = _loop;
        }
        if (loop is not null)
        {
            try
            {
                await loop.WaitAsync(Options.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _hardStop.Cancel();
                try { await loop.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false); }
                catch (Exception) { /* reported below */ }
            }
        }
        lock (_lock)
        {
            long queued = _tail - _takenEnd;
            if (queued > 0)
            {
                _failed += queued;
                SelfLog.Write(Name, $"{queued} events were still queued at shutdown and are lost");
                _tail = _takenEnd;
                _queuedBytes = 0;
            }
            _closed = true;
            WakeEmitterLocked();
            // Free chunks hold no event (a write still stuck past the timeout holds sealed ones, never free ones):
            // back to the shared pool. The open chunk is left to the collector (an Emit may still be copying into it).
            while (_freeChunks.TryPop(out var free))
            {
                ArrayPool<byte>.Shared.Return(free.Buffer);
                free.Buffer = [];
            }
            foreach (var (_, done) in _flushWaiters) done.TrySetResult();
            _flushWaiters.Clear();
            _flushRequested = false;
        }
        try { await OnDisposeAsync().ConfigureAwait(false); }
        catch (Exception ex) { SelfLog.Write(Name, $"dispose failed: {ex.Message}"); }
        GC.SuppressFinalize(this);
    }

    /// <summary>Under the lock: wakes the I/O thread if it is waiting.</summary>
    private void WakeLocked()
    {
        if (!_ioWaiting) return;
        _ioWaiting = false;
        // The writer may be waiting on the same monitor (block mode): wake both, each checks its own condition.
        if (_emitWaiting) Monitor.PulseAll(_lock);
        else Monitor.Pulse(_lock);
    }

    /// <summary>Under the lock: wakes the writer if it waits for room (block mode).</summary>
    private void WakeEmitterLocked()
    {
        if (_emitWaiting) Monitor.PulseAll(_lock);
    }

    private Task StartLoop()
    {
        var thread = new Thread(static state => ((BatchingSink)state!).Run()) { IsBackground = true, Name = "StructuredLog io " + Name };
        thread.Start(this);
        return _loopDone.Task;
    }

    /// <summary>The I/O thread: waits for a batch, writes it (retrying as configured), repeats until disposal has drained the queue.</summary>
    // A thread's loop, entered once per pipeline and left only at disposal: compiled fully optimised at once. Tiered
    // compilation would run it as tier-0 code (then on-stack replacement) for the pipeline's whole life, and move it to
    // instrumented tier-0 after 30 pipelines, which a process that builds pipelines one after another then runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        Pipeline.BackgroundScheduling.TryMarkCurrentThread();
        var random = new Random();
        CancellationTokenSource? timeout = null;
        try
        {
            while (TakeBatch())
            {
                Exception? error = null;
                bool delivered = false;
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        // One linked source reused batch after batch (disarmed by TryReset after each
                        // write), a new one only after a timeout fired.
                        timeout ??= CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token);
                        timeout.CancelAfter(Options.WriteTimeout);
                        var write = WriteBatchAsync(_batch, timeout.Token);
                        write.GetAwaiter().GetResult();
                        delivered = true;
                        break;
                    }
                    catch (SinkWriteException ex) when (!ex.Retryable)
                    {
                        error = ex;
                        break;
                    }
                    catch (Exception ex)
                    {
                        error = ex;
                        if (attempt >= Options.MaxRetries || _hardStop.IsCancellationRequested) break;
                        var delay = BackoffDelay(attempt, (ex as SinkWriteException)?.RetryAfter, random);
                        Interlocked.Increment(ref _retries);
                        SelfLog.Write(Name, $"write failed ({ex.GetType().Name}: {ex.Message}); retry {attempt + 1} in {delay.TotalMilliseconds:F0} ms");
                        DisarmOrDrop(ref timeout);
                        if (_hardStop.Token.WaitHandle.WaitOne(delay)) break;
                    }
                    finally
                    {
                        DisarmOrDrop(ref timeout);
                    }
                }
                if (delivered)
                {
                    Interlocked.Add(ref _written, _batch.Count);
                    Interlocked.Increment(ref _batches);
                }
                else
                {
                    Interlocked.Add(ref _failed, _batch.Count);
                    try { OnBatchFailed(_batch, error!); } catch (Exception) { /* never let a hook stop the loop */ }
                }
                FinishBatch();
            }
        }
        catch (Exception ex)
        {
            // Only a bug in this class gets here; report it rather than take the process down.
            SelfLog.Write(Name, $"I/O thread failed: {ex}");
        }
        finally
        {
            timeout?.Dispose();
            _loopDone.TrySetResult();
        }
    }

    /// <summary>Stops the write timeout's timer; a source whose timeout already fired cannot be reused and is dropped.</summary>
    private static void DisarmOrDrop(ref CancellationTokenSource? timeout)
    {
        if (timeout is null || timeout.TryReset()) return;
        timeout.Dispose();
        timeout = null;
    }

    /// <summary>The delay before retry <paramref name="attempt"/> (0-based): exponential with ±25 % jitter, or the peer's Retry-After.</summary>
    protected TimeSpan BackoffDelay(int attempt, TimeSpan? retryAfter, Random random)
    {
        if (retryAfter is { } ra && ra > TimeSpan.Zero) return ra < Options.MaxRetryAfter ? ra : Options.MaxRetryAfter;
        double baseMs = Options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        baseMs = Math.Min(baseMs, Options.MaxBackoff.TotalMilliseconds);
        double jitter = 0.75 + random.NextDouble() * 0.5;
        return TimeSpan.FromMilliseconds(Math.Min(baseMs * jitter, Options.MaxBackoff.TotalMilliseconds));
    }

    /// <summary>
    /// I/O thread: waits until a batch is due (<see cref="BatchingOptions.BatchSizeLimit"/> events queued,
    /// <see cref="BatchingOptions.Period"/> passed since the first one was seen, a flush, disposal, or the
    /// writer waiting for room),
    /// then makes <see cref="_batch"/> the next batch. False when disposal has left nothing to send.
    /// </summary>
    private bool TakeBatch()
    {
        BufferedLogEvent[] entries;
        long start, end, bytes = 0;
        lock (_lock)
        {
            long firstSeen = -1;
            while (true)
            {
                long queued = _tail - _takenEnd;
                // A writer waiting for room (block mode) cannot add to the batch: take what is queued now.
                if (queued > 0 && (queued >= Options.BatchSizeLimit || _flushRequested || _disposing || _emitWaiting)) break;
                if (queued == 0)
                {
                    if (_flushRequested)
                    {
                        _flushRequested = false;
                        CompleteFlushWaiters();
                    }
                    if (_disposing) return false;
                    firstSeen = -1;
                    WaitLocked(Timeout.Infinite);
                    continue;
                }
                long now = Environment.TickCount64;
                if (firstSeen < 0) firstSeen = now;
                long remaining = (long)Math.Ceiling(Options.Period.TotalMilliseconds) - (now - firstSeen);
                if (remaining <= 0) break;
                WaitLocked((int)Math.Min(remaining, int.MaxValue - 1));
            }

            entries = _entries;
            int mask = entries.Length - 1;
            start = _takenEnd;
            long max = Math.Min(_tail, start + Options.BatchSizeLimit);
            long byteLimit = Options.BatchBytesLimit;
            end = start;
            for (; end < max; end++)
            {
                int length = entries[(int)(end & mask)].Payload.Length;
                if (end > start && bytes + length > byteLimit) break;
                bytes += length;
            }
            _takenEnd = end;
            _queuedBytes -= bytes;
            if (end > start)
            {
                Volatile.Write(ref _blockTimedOut, false);
                WakeEmitterLocked();
            }
            if (_tail == _takenEnd) _flushRequested = _flushWaiters.Count > 0 && _flushRequested;
        }
        // The entries in flight are not touched by anyone else until FinishBatch.
        _batch.Set(entries, start, (int)(end - start), bytes);
        return true;
    }

    private void WaitLocked(int milliseconds)
    {
        _ioWaiting = true;
        Monitor.Wait(_lock, milliseconds);
        _ioWaiting = false;
    }

    private void FinishBatch()
    {
        _batch.Clear();
        lock (_lock)
        {
            _head = _takenEnd;
            while (_sealed.TryPeek(out var chunk) && chunk.LastSequence < _head)
            {
                _sealed.Dequeue();
                Recycle(chunk);
            }
            CompleteFlushWaiters();
            if (_flushWaiters.Count == 0) _flushRequested = false;
        }
    }

    private void CompleteFlushWaiters()
    {
        for (int i = _flushWaiters.Count - 1; i >= 0; i--)
        {
            if (_flushWaiters[i].Target > _head) continue;
            _flushWaiters[i].Done.TrySetResult();
            _flushWaiters.RemoveAt(i);
        }
    }

    /// <summary>Under the lock (writer thread): room for <paramref name="needed"/> entries from <see cref="_head"/> on.</summary>
    private void EnsureCapacity(long needed)
    {
        if (needed <= _entries.Length) return;
        long size = _entries.Length;
        while (size < needed) size *= 2;
        var grown = new BufferedLogEvent[size];
        int oldMask = _entries.Length - 1, newMask = (int)size - 1;
        for (long p = _head; p < _tail; p++) grown[(int)(p & newMask)] = _entries[(int)(p & oldMask)];
        _entries = grown;
    }

    /// <summary>Writer thread: copies one payload into the open chunk (or a buffer of its own when large).</summary>
    private ReadOnlyMemory<byte> Store(ReadOnlySpan<byte> bytes, long position)
    {
        if (bytes.Length > OversizedPayload)
        {
            Chunk own;
            lock (_lock) own = _freeOversized.TryPop(out var wrapper) ? wrapper : Chunk.Oversized();
            own.Buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
            bytes.CopyTo(own.Buffer);
            own.Position = bytes.Length;
            own.LastSequence = position;
            lock (_lock) _sealed.Enqueue(own);
            return new ReadOnlyMemory<byte>(own.Buffer, 0, bytes.Length);
        }
        var c = _chunk;
        if (c.Buffer.Length - c.Position < bytes.Length) c = NextChunk();
        bytes.CopyTo(c.Buffer.AsSpan(c.Position));
        var memory = new ReadOnlyMemory<byte>(c.Buffer, c.Position, bytes.Length);
        c.Position += bytes.Length;
        c.LastSequence = position;
        return memory;
    }

    /// <summary>Writer thread: seals the full open chunk and opens a free (or new) one.</summary>
    private Chunk NextChunk()
    {
        lock (_lock)
        {
            var full = _chunk;
            if (full.LastSequence < _head) Recycle(full);
            else _sealed.Enqueue(full);
            _chunk = _freeChunks.TryPop(out var reused) ? reused : Chunk.Standard();
            return _chunk;
        }
    }

    /// <summary>
    /// Under the lock: keeps a drained standard chunk for reuse (bounded by the queue's byte limit and
    /// <see cref="MaxFreeChunks"/>), so that the queue's memory reaches its high-water mark once and is
    /// then reused; oversized payloads' buffers go back to the shared pool and their wrappers are kept.
    /// </summary>
    private void Recycle(Chunk chunk)
    {
        if (chunk.IsPooled)
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
            chunk.Buffer = [];
            if (_freeOversized.Count < 64) _freeOversized.Push(chunk);
            return;
        }
        if (!_disposing && (long)_freeChunks.Count * ChunkSize < Options.QueueBytesLimit && _freeChunks.Count < MaxFreeChunks)
        {
            chunk.Position = 0;
            chunk.LastSequence = -1;
            _freeChunks.Push(chunk);
            return;
        }
        // Every event stored in it is done (written or given up): nothing refers to its bytes any more.
        ArrayPool<byte>.Shared.Return(chunk.Buffer);
        chunk.Buffer = [];
    }

    /// <summary>A byte block holding payloads back to back.</summary>
    private sealed class Chunk
    {
        public byte[] Buffer;
        public readonly bool IsPooled;
        public int Position;
        /// <summary>The position (sequence) of the last event stored in it; -1 when none.</summary>
        public long LastSequence = -1;

        private Chunk(byte[] buffer, bool pooled)
        {
            Buffer = buffer;
            IsPooled = pooled;
        }

        /// <summary>
        /// A 64 KB block from the shared array pool: a sink reuses its own blocks while it runs and returns them
        /// to the pool when they are no longer needed (past its bound, or at disposal), so that sinks and
        /// pipelines created one after another reuse the same memory instead of allocating it again.
        /// </summary>
        public static Chunk Standard() => new(ArrayPool<byte>.Shared.Rent(ChunkSize), pooled: false);

        /// <summary>A wrapper for one oversized payload's buffer, rented from the shared pool when used.</summary>
        public static Chunk Oversized() => new([], pooled: true);
    }
}
