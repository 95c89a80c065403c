using StructuredLog.Formatting;
using StructuredLog.Sinks.File;

namespace StructuredLog;

/// <summary><c>WriteTo</c> shortcuts for the rolling file sink.</summary>
public static class FileSinkBuilderExtensions
{
    /// <summary>Writes to a rolling file set named after <paramref name="path"/> (JSON lines by default; daily and 100 MiB rolling, gzip, 31 files kept).</summary>
    public static LogPipelineBuilder WriteToFile(this LogPipelineBuilder builder, string path, ILogFormatter? formatter = null, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WriteTo(new FileSink(path, formatter), minimumLevel);
    }

    /// <summary>Writes to a rolling file set configured by <paramref name="configure"/>.</summary>
    public static LogPipelineBuilder WriteToFile(this LogPipelineBuilder builder, Action<FileSinkOptions> configure, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FileSinkOptions();
        configure(options);
        return builder.WriteTo(new FileSink(options), minimumLevel);
    }
}
