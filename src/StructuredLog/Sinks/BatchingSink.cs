using System.Buffers;
using StructuredLog.Diagnostics;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks;

/// <summary>
/// The base of every sink that does I/O. <see cref="Emit"/> (writer thread) only copies each event's
/// formatted bytes into a bounded in-memory queue; a task of the sink's own sends batches through
/// <see cref="WriteBatchAsync"/> when <see cref="BatchingOptions.BatchSizeLimit"/> events are queued or
/// <see cref="BatchingOptions.Period"/> has passed. Failures are retried with exponential backoff and
/// jitter, honouring a peer's <c>Retry-After</c>; batches are sent strictly in order, so a retried
/// batch is never overtaken. A slow or dead destination never blocks the writer thread: once the queue
/// is full, new events are dropped and counted (<see cref="EventsDropped"/>).
/// A derived class adds only its protocol.
/// </summary>
public abstract class BatchingSink : ILogSink, ISinkCounters
{
    private const int ChunkSize = 64 * 1024;

    private readonly object _lock = new();
    private readonly Queue<Entry> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = new();
    private readonly LogBatch _batch = new();
    private readonly List<Chunk> _inFlightChunks = new();
    private readonly Stack<Chunk> _freeChunks = new();   // standard-size chunks ready for reuse (under _lock)
    private Chunk _chunk = new(ChunkSize);
    private long _queuedBytes;
    private long _enqueuedSequence;   // sequence numbers handed out
    private long _completedSequence;  // all events below this are written or failed
    private bool _flushRequested;
    private volatile bool _disposing;
    private Lazy<Task>? _disposal;
    private Task? _loop;
    private long _written, _failed, _dropped, _retries, _batches;

    /// <summary>Creates the sink; the I/O task starts on the first event.</summary>
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

    /// <summary>Events waiting in memory.</summary>
    public int QueuedEvents { get { lock (_lock) return _queue.Count; } }

    /// <summary>Sends one batch. Throw <see cref="SinkWriteException"/> to say whether to retry; any other exception is retried.</summary>
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
        if (_disposing)
        {
            Interlocked.Add(ref _dropped, batch.Length);
            return;
        }
        int queued;
        bool wasEmpty;
        lock (_lock)
        {
            wasEmpty = _queue.Count == 0;
            foreach (ref readonly var e in batch)
            {
                var bytes = e.GetFormatted(Formatter);
                if (_queue.Count >= Options.QueueLimit || _queuedBytes + bytes.Length > Options.QueueBytesLimit)
                {
                    _dropped++;
                    continue;
                }
                var memory = Store(bytes);
                _queue.Enqueue(new Entry(new BufferedLogEvent(memory.Memory, e.Record.TimestampTicks, e.Level, _enqueuedSequence++), memory.Chunk));
                _queuedBytes += bytes.Length;
            }
            queued = _queue.Count;
            _loop ??= Task.Run(RunAsync);
        }
        // Wake the loop when the queue fills a batch, and also when it stops being empty: an idle loop
        // waits without a timeout, so it must be told to start the Period timer.
        if (queued >= Options.BatchSizeLimit || (wasEmpty && queued > 0)) Wake();
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (_completedSequence >= _enqueuedSequence) return ValueTask.CompletedTask;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((_enqueuedSequence, done));
            _flushRequested = true;
        }
        Wake();
        return new ValueTask(done.Task.WaitAsync(cancellationToken));
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
        Wake();
        Task? loop;
        lock (_lock) loop = _loop;
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
            if (_queue.Count > 0)
            {
                _failed += _queue.Count;
                SelfLog.Write(Name, $"{_queue.Count} events were still queued at shutdown and are lost");
                while (_queue.TryDequeue(out var e)) Release(e.Chunk);
                while (_freeChunks.TryPop(out var free)) free.Return();
            }
            _completedSequence = _enqueuedSequence;
            CompleteFlushWaiters();
        }
        try { await OnDisposeAsync().ConfigureAwait(false); }
        catch (Exception ex) { SelfLog.Write(Name, $"dispose failed: {ex.Message}"); }
        GC.SuppressFinalize(this);
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    private async Task RunAsync()
    {
        var random = new Random();
        CancellationTokenSource? timeout = null;
        while (true)
        {
            await WaitForBatchAsync().ConfigureAwait(false);
            if (!TakeBatch())
            {
                if (_disposing)
                {
                    timeout?.Dispose();
                    return;
                }
                continue;
            }
            Exception? error = null;
            bool delivered = false;
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    // One linked source reused batch after batch (TryReset), a new one only after a timeout fired.
                    if (timeout is null || !timeout.TryReset())
                    {
                        timeout?.Dispose();
                        timeout = CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token);
                    }
                    timeout.CancelAfter(Options.WriteTimeout);
                    await WriteBatchAsync(_batch, timeout.Token).ConfigureAwait(false);
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
                    try { await Task.Delay(delay, _hardStop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
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

    /// <summary>The delay before retry <paramref name="attempt"/> (0-based): exponential with ±25 % jitter, or the peer's Retry-After.</summary>
    protected TimeSpan BackoffDelay(int attempt, TimeSpan? retryAfter, Random random)
    {
        if (retryAfter is { } ra && ra > TimeSpan.Zero) return ra < Options.MaxRetryAfter ? ra : Options.MaxRetryAfter;
        double baseMs = Options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        baseMs = Math.Min(baseMs, Options.MaxBackoff.TotalMilliseconds);
        double jitter = 0.75 + random.NextDouble() * 0.5;
        return TimeSpan.FromMilliseconds(Math.Min(baseMs * jitter, Options.MaxBackoff.TotalMilliseconds));
    }

    private async Task WaitForBatchAsync()
    {
        long firstSeen = -1;
        while (true)
        {
            int count;
            bool flush;
            lock (_lock)
            {
                count = _queue.Count;
                flush = _flushRequested;
            }
            if (count >= Options.BatchSizeLimit || _disposing || (flush && count > 0)) return;
            if (flush && count == 0)
            {
                lock (_lock) { _flushRequested = false; CompleteFlushWaiters(); }
            }
            if (count > 0)
            {
                if (firstSeen < 0) firstSeen = Environment.TickCount64;
                long waited = Environment.TickCount64 - firstSeen;
                long remaining = (long)Options.Period.TotalMilliseconds - waited;
                if (remaining <= 0) return;
                await _signal.WaitAsync(TimeSpan.FromMilliseconds(remaining)).ConfigureAwait(false);
            }
            else
            {
                firstSeen = -1;
                await _signal.WaitAsync().ConfigureAwait(false);
            }
        }
    }

    private bool TakeBatch()
    {
        lock (_lock)
        {
            _batch.Clear();
            while (_batch.Count < Options.BatchSizeLimit && _queue.TryPeek(out var e))
            {
                if (_batch.Count > 0 && _batch.TotalBytes + e.Event.Payload.Length > Options.BatchBytesLimit) break;
                _queue.Dequeue();
                _queuedBytes -= e.Event.Payload.Length;
                _batch.Add(e.Event);
                _inFlightChunks.Add(e.Chunk);
            }
            if (_queue.Count == 0) _flushRequested = _flushWaiters.Count > 0 && _flushRequested;
            return _batch.Count > 0;
        }
    }

    private void FinishBatch()
    {
        lock (_lock)
        {
            if (_batch.Count > 0) _completedSequence = _batch[_batch.Count - 1].Sequence + 1;
            foreach (var chunk in _inFlightChunks) Release(chunk);
            _inFlightChunks.Clear();
            _batch.Clear();
            CompleteFlushWaiters();
            if (_flushWaiters.Count == 0) _flushRequested = false;
        }
    }

    private void CompleteFlushWaiters()
    {
        for (int i = _flushWaiters.Count - 1; i >= 0; i--)
        {
            if (_flushWaiters[i].Target > _completedSequence) continue;
            _flushWaiters[i].Done.TrySetResult();
            _flushWaiters.RemoveAt(i);
        }
    }

    private (ReadOnlyMemory<byte> Memory, Chunk Chunk) Store(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ChunkSize / 4)
        {
            var own = new Chunk(bytes.Length);
            bytes.CopyTo(own.Buffer);
            own.Position = bytes.Length;
            own.References = 1;
            own.Sealed = true;
            return (own.Buffer.AsMemory(0, bytes.Length), own);
        }
        if (_chunk.Buffer.Length - _chunk.Position < bytes.Length)
        {
            _chunk.Sealed = true;
            if (_chunk.References == 0) Recycle(_chunk);
            _chunk = _freeChunks.TryPop(out var reused) ? reused : new Chunk(ChunkSize);
        }
        var c = _chunk;
        bytes.CopyTo(c.Buffer.AsSpan(c.Position));
        var memory = c.Buffer.AsMemory(c.Position, bytes.Length);
        c.Position += bytes.Length;
        c.References++;
        return (memory, c);
    }

    private void Release(Chunk chunk)
    {
        if (--chunk.References == 0 && chunk.Sealed) Recycle(chunk);
    }

    /// <summary>
    /// Keeps a drained standard-size chunk for reuse instead of handing its buffer back to the shared
    /// pool: the writer thread rents and the I/O task returns, and the shared pool's per-thread caches
    /// then keep allocating fresh 64 KB buffers. Bounded by the queue's byte limit.
    /// </summary>
    private void Recycle(Chunk chunk)
    {
        if (chunk.Buffer.Length == ChunkSize && !_disposing && (long)_freeChunks.Count * ChunkSize < Options.QueueBytesLimit && _freeChunks.Count < 256)
        {
            chunk.Position = 0;
            chunk.References = 0;
            chunk.Sealed = false;
            _freeChunks.Push(chunk);
        }
        else
        {
            chunk.Return();
        }
    }

    private readonly record struct Entry(BufferedLogEvent Event, Chunk Chunk);

    /// <summary>A pooled byte block shared by the payloads stored in it; returned when the last one is done.</summary>
    private sealed class Chunk
    {
        public readonly byte[] Buffer;
        public int Position;
        public int References;
        public bool Sealed;

        public Chunk(int size) => Buffer = ArrayPool<byte>.Shared.Rent(size);

        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}
