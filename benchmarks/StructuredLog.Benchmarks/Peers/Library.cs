namespace StructuredLog.Benchmarks.Peers;

/// <summary>The libraries compared side by side.</summary>
public enum Library
{
    StructuredLog,
    ZLogger,
    Serilog,
    NLog,
    /// <summary>Microsoft.Extensions.Logging with <c>[LoggerMessage]</c> methods, Serilog as the provider.</summary>
    MelLoggerMessage,
    /// <summary>
    /// An extra case, not a different library: <see cref="StructuredLog"/> configured exactly the same but
    /// with <c>TimestampPrecision(Coarse)</c> (timestamps from a shared 1 ms ticker instead of a clock read per call).
    /// </summary>
    StructuredLogCoarseClock,
    /// <summary>
    /// An extra case, not a different library: <see cref="StructuredLog"/> configured the same but with
    /// <c>ThreadLanes(16384)</c>, a ring of its own for each thread that logs (the same size as the one ring).
    /// </summary>
    StructuredLogThreadLanes,
}

/// <summary>What the end-to-end loop logs besides the plain 3-argument event.</summary>
public enum Workload
{
    /// <summary>N events with an int, a double and a string.</summary>
    Plain,
    /// <summary>As <see cref="Plain"/>, with an Error event carrying an exception every 100 events.</summary>
    Exception,
    /// <summary>As <see cref="Plain"/>, inside one scope property and a started W3C <c>Activity</c> (trace id, span id).</summary>
    ScopeTrace,
}
