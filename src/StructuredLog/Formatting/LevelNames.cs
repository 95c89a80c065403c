using System.Text.Json;

namespace StructuredLog.Formatting;

/// <summary>Level names and numbers used by the formatters.</summary>
public static class LevelNames
{
    private static readonly string[] s_names = ["Trace", "Debug", "Info", "Warn", "Error", "Fatal", "Off"];
    private static readonly string[] s_short = ["TRC", "DBG", "INF", "WRN", "ERR", "FTL", "OFF"];
    private static readonly string[] s_otel = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "UNSPECIFIED"];
    private static readonly JsonEncodedText[] s_json = Array.ConvertAll(s_names, n => JsonEncodedText.Encode(n));
    private static readonly byte[][] s_utf8 = Array.ConvertAll(s_names, n => System.Text.Encoding.ASCII.GetBytes(n));
    private static readonly byte[][] s_shortUtf8 = Array.ConvertAll(s_short, n => System.Text.Encoding.ASCII.GetBytes(n));

    /// <summary>The level's name (<c>Info</c>).</summary>
    public static string Name(LogLevel level) => s_names[Index(level)];

    /// <summary>The three-letter form (<c>INF</c>).</summary>
    public static string ShortName(LogLevel level) => s_short[Index(level)];

    internal static JsonEncodedText Get(LogLevel level) => s_json[Index(level)];
    internal static ReadOnlySpan<byte> Utf8(LogLevel level) => s_utf8[Index(level)];
    internal static ReadOnlySpan<byte> ShortUtf8(LogLevel level) => s_shortUtf8[Index(level)];

    /// <summary>OpenTelemetry SeverityText (<c>INFO</c>).</summary>
    public static string OpenTelemetryText(LogLevel level) => s_otel[Index(level)];

    /// <summary>OpenTelemetry SeverityNumber: TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21.</summary>
    public static int OpenTelemetryNumber(LogLevel level) => level >= LogLevel.Off ? 0 : 1 + 4 * (int)level;

    private static int Index(LogLevel level) => Math.Min((int)level, s_names.Length - 1);
}
