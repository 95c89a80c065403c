namespace StructuredLog;

/// <summary>Why an event was dropped before reaching the sinks.</summary>
public enum DropReason
{
    /// <summary>The ring buffer was full under a dropping <see cref="BackpressurePolicy"/>.</summary>
    QueueFull,
    /// <summary>Logged after the pipeline was disposed.</summary>
    Shutdown,
    /// <summary>Removed by a sampling rule.</summary>
    Sampled,
    /// <summary>Removed by a rate limit (and summarised in a "suppressed" event).</summary>
    RateLimited,
    /// <summary>Removed by a filter.</summary>
    Filtered,
    /// <summary>
    /// Not written because the pipeline's writer thread failed (a bug in the library, reported through the
    /// self-log): events still in the ring buffer when it failed, counted at that moment, and every call
    /// made after it, which returns at once instead of waiting for room that will never come.
    /// </summary>
    WriterFailed,
}
