namespace StructuredLog.Sinks;

/// <summary>
/// Thrown by <see cref="BatchingSink.WriteBatchAsync"/> implementations to say whether a failed write
/// may be retried, and after how long the peer asked us to wait (<c>Retry-After</c>). Any other
/// exception from a write is treated as retryable (network errors, timeouts).
/// </summary>
public sealed class SinkWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SinkWriteException(string message, bool retryable, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Retryable = retryable;
        RetryAfter = retryAfter;
    }

    /// <summary>True when the same batch may be sent again (429, 5xx, throttling).</summary>
    public bool Retryable { get; }

    /// <summary>The wait the peer asked for, if any; it overrides the computed backoff.</summary>
    public TimeSpan? RetryAfter { get; }
}
