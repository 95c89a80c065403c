using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>Maps Microsoft.Extensions.Logging levels to StructuredLog levels and back.</summary>
public static class LevelMapping
{
    /// <summary>Trace→Trace, Debug→Debug, Information→Info, Warning→Warn, Error→Error, Critical→Fatal, None (or unknown)→Off.</summary>
    public static LogLevel ToStructuredLog(MelLevel level) => level switch
    {
        MelLevel.Trace => LogLevel.Trace,
        MelLevel.Debug => LogLevel.Debug,
        MelLevel.Information => LogLevel.Info,
        MelLevel.Warning => LogLevel.Warn,
        MelLevel.Error => LogLevel.Error,
        MelLevel.Critical => LogLevel.Fatal,
        _ => LogLevel.Off,
    };

    /// <summary>The inverse of <see cref="ToStructuredLog"/>.</summary>
    public static MelLevel ToMicrosoft(LogLevel level) => level switch
    {
        LogLevel.Trace => MelLevel.Trace,
        LogLevel.Debug => MelLevel.Debug,
        LogLevel.Info => MelLevel.Information,
        LogLevel.Warn => MelLevel.Warning,
        LogLevel.Error => MelLevel.Error,
        LogLevel.Fatal => MelLevel.Critical,
        _ => MelLevel.None,
    };
}
