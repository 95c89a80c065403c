namespace StructuredLog;

/// <summary>
/// How a logging call reads the clock for its event's timestamp (set with
/// <see cref="LogPipelineBuilder.TimestampPrecision(TimestampPrecision)"/>).
/// </summary>
public enum TimestampPrecision
{
    /// <summary>
    /// Default: every call reads a monotonic clock, so each event carries the time of its own call. On Linux x64,
    /// when the kernel's clock source is the processor's time-stamp counter, the read is one <c>rdtsc</c> instruction
    /// (~10 ns on a KVM guest); elsewhere, or with the <see cref="AppContext"/> switch
    /// <c>StructuredLog.PreciseClockUsesStopwatch</c>, it is <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>
    /// (~25 ns on the same guest, more than the rest of an enabled call). The writer converts readings to UTC.
    /// </summary>
    Precise = 0,

    /// <summary>
    /// Calls read a shared clock value that a background ticker thread refreshes about once a millisecond
    /// (and the writer thread whenever it drains): no system call on the calling thread. Timestamps are
    /// then the time of the last tick, typically 0–2 ms before the call, more when the machine is so
    /// overloaded that the ticker thread is not scheduled for a while. They never go backwards, and the
    /// order of events within a sink still follows the order in which calls entered the ring buffer,
    /// so events of the same millisecond keep their order in a file though they share a timestamp.
    /// The ticker runs only while at least one pipeline built with this option is alive.
    /// </summary>
    Coarse = 1,
}
