namespace StructuredLog;

/// <summary>Severity of a log event, from the most verbose to the most severe.</summary>
public enum LogLevel : byte
{
    /// <summary>Very detailed diagnostics, usually off in production.</summary>
    Trace = 0,
    /// <summary>Internal state useful while debugging.</summary>
    Debug = 1,
    /// <summary>Normal operation: requests served, jobs completed.</summary>
    Info = 2,
    /// <summary>Something unexpected that the application survived.</summary>
    Warn = 3,
    /// <summary>An operation failed.</summary>
    Error = 4,
    /// <summary>The application or a major component cannot continue.</summary>
    Fatal = 5,
    /// <summary>Used as a minimum level only: nothing is logged.</summary>
    Off = 6,
}
