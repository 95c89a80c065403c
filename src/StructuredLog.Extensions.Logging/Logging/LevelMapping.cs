using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>Maps Microsoft.Extensions.Logging levels to StructuredLog levels and back.</summary>
public static class LevelMapping
{
    /// <summary>Trace→Trace, Debug→Debug, Information→Info, Warning→Warn, Error→Error, Critical→Fatal, None (or unknown)→Off.</summary>
    /// <remarks>The two enums number their levels alike (0 to 5, then None/Off = 6), so this is a range check.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static LogLevel ToStructuredLog(MelLevel level) => (uint)level <= (uint)MelLevel.None ? (LogLevel)(int)level : LogLevel.Off;

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
