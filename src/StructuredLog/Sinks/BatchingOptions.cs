namespace StructuredLog.Sinks;

/// <summary>Options of <see cref="BatchingSink"/>: batch triggers, queue bound, timeouts and retries.</summary>
public sealed class BatchingOptions
{
    /// <summary>A batch is sent when it holds this many events. Default 1,000.</summary>
    public int BatchSizeLimit { get; set; } = 1000;

    /// <summary>A batch is cut before it exceeds this many bytes of formatted events. Default 1 MiB.</summary>
    public int BatchBytesLimit { get; set; } = 1024 * 1024;

    /// <summary>A partial batch is sent after waiting this long. Default 1 s.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events held in memory while the destination is slow or down; past it, new events are dropped and counted. Default 100,000.</summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>Bytes held in memory, likewise. Default 256 MiB.</summary>
    public long QueueBytesLimit { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// What happens when the queue is full. Default <see cref="QueueFullMode.DropNewest"/>: new events are
    /// dropped and counted, and the writer thread (and with it every other sink) never waits for this one.
    /// <see cref="QueueFullMode.Block"/>: the writer waits for room, up to <see cref="BlockTimeout"/>; with
    /// the pipeline's <see cref="BackpressurePolicy.Wait"/> the callers then wait too, and nothing is lost
    /// to a destination that is only slow (a local disk, say).
    /// </summary>
    public QueueFullMode FullMode { get; set; } = QueueFullMode.DropNewest;

    /// <summary>
    /// With <see cref="QueueFullMode.Block"/>: the longest one <c>Emit</c> waits for room. When it runs out,
    /// the rest of that batch is dropped and counted, and new events are dropped at once until the
    /// destination takes a batch again (so a dead destination does not stall the writer once per batch).
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever. Default 30 s.
    /// </summary>
    public TimeSpan BlockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each write is cancelled after this long and counts as a retryable failure. Default 30 s.</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay; doubled on each attempt with ±25 % jitter. Default 200 ms.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the retry delay (a longer <c>Retry-After</c> is still honoured up to <see cref="MaxRetryAfter"/>). Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest <c>Retry-After</c> honoured. Default 5 min.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A batch is dropped (and counted as failed) after this many retries. Default 10; 0 never retries.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>How long <c>DisposeAsync</c> keeps trying to send what is queued. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (BatchSizeLimit < 1) throw new ArgumentOutOfRangeException(nameof(BatchSizeLimit), BatchSizeLimit, "must be at least 1");
        if (BatchBytesLimit < 1) throw new ArgumentOutOfRangeException(nameof(BatchBytesLimit), BatchBytesLimit, "must be at least 1");
        if (Period <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Period), Period, "must be positive");
        if (QueueLimit < 1) throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "must be at least 1");
        if (QueueBytesLimit < 1) throw new ArgumentOutOfRangeException(nameof(QueueBytesLimit), QueueBytesLimit, "must be at least 1");
        if (!Enum.IsDefined(FullMode)) throw new ArgumentOutOfRangeException(nameof(FullMode), FullMode, "is not a QueueFullMode value");
        if (BlockTimeout <= TimeSpan.Zero && BlockTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(BlockTimeout), BlockTimeout, "must be positive or Timeout.InfiniteTimeSpan");
        if (WriteTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WriteTimeout), WriteTimeout, "must be positive");
        if (MinBackoff < TimeSpan.Zero || MaxBackoff < MinBackoff) throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "must be at least MinBackoff");
        if (MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "must not be negative");
    }
}

/// <summary>What a <see cref="BatchingSink"/> does with new events when its queue is full.</summary>
public enum QueueFullMode
{
    /// <summary>Drop them and count them (<see cref="BatchingSink.EventsDropped"/>); the writer thread never waits. The default.</summary>
    DropNewest,

    /// <summary>Make the writer thread wait for room, up to <see cref="BatchingOptions.BlockTimeout"/>.</summary>
    Block,
}
