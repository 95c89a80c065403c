namespace StructuredLog;

/// <summary>What a logging call does when the ring buffer is full.</summary>
public enum BackpressurePolicy
{
    /// <summary>
    /// Wait until the writer frees a slot: nothing is lost. The default. The caller spins and yields for a few
    /// microseconds, then blocks until the writer signals that it has freed slots (it takes no CPU meanwhile).
    /// </summary>
    Wait,

    /// <summary>Drop the new event at once and count it; the count is reported as an event and a metric.</summary>
    DropNewest,

    /// <summary>Wait up to the configured <c>WaitTimeout</c>, then drop and count.</summary>
    WaitThenDrop,
}
