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
