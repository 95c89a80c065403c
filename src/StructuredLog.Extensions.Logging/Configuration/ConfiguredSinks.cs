using Microsoft.Extensions.Configuration;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.Extensions.Logging;

/// <summary>The sinks the <c>StructuredLog</c> configuration section can create on its own.</summary>
internal static class ConfiguredSinks
{
    /// <summary><c>"Console": { "Format": "Json" | "Text" | "Logfmt" | "OpenTelemetryJson", "StandardError": false }</c>.</summary>
    public static ILogSink Console(IConfigurationSection section)
    {
        var format = section["Format"];
        bool stdErr = ReadBool(section, "StandardError");
        return new ConsoleSink(format is null ? null : Formatter(section.Path + ":Format", format, stdErr), stdErr);
    }

    /// <summary>
    /// <c>"File": { "Path": "logs/app.jsonl", "Format": "Json", "FullMode": "DropNewest" | "Block" }</c>: one file,
    /// appended (rolling files: StructuredLog.Sinks.File). <c>Block</c> makes the writer wait for the disk
    /// when the sink's queue is full instead of dropping (<see cref="QueueFullMode.Block"/>).
    /// </summary>
    public static ILogSink File(IConfigurationSection section)
    {
        var path = section["Path"];
        if (string.IsNullOrWhiteSpace(path)) throw new LogConfigurationException(section.Path + ":Path", path, "a file path is required");
        var format = section["Format"];
        var options = StreamSink.CreateDefaultOptions();
        if (section["FullMode"] is { } mode) options.FullMode = FullMode(section.Path + ":FullMode", mode);
        return new StreamSink(path, format is null ? JsonFormatter.Default : Formatter(section.Path + ":Format", format, false), options);
    }

    private static QueueFullMode FullMode(string key, string value) => value.Trim().ToUpperInvariant() switch
    {
        "DROPNEWEST" => QueueFullMode.DropNewest,
        "BLOCK" => QueueFullMode.Block,
        _ => throw new LogConfigurationException(key, value, "expected DropNewest or Block"),
    };

    public static ILogFormatter Formatter(string key, string value, bool standardError) => value.Trim().ToUpperInvariant() switch
    {
        "JSON" => JsonFormatter.Default,
        "OPENTELEMETRYJSON" => new JsonFormatter(JsonFieldNaming.OpenTelemetry),
        "LOGFMT" => LogfmtFormatter.Default,
        "TEXT" => new TextFormatter(colors: ConsoleSink.ColorsWanted(standardError), multilineExceptions: true),
        _ => throw new LogConfigurationException(key, value, "expected Json, OpenTelemetryJson, Logfmt or Text"),
    };

    public static bool ReadBool(IConfigurationSection section, string key)
    {
        var v = section[key];
        if (v is null) return false;
        return bool.TryParse(v, out bool b) ? b : throw new LogConfigurationException(section.Path + ":" + key, v, "expected true or false");
    }
}
