using OpenTelemetry.Logs;
using StructuredLog.OpenTelemetry;

namespace StructuredLog;

/// <summary>Adds the OpenTelemetry bridge to a <see cref="LogPipelineBuilder"/>.</summary>
public static class OpenTelemetryPipelineBuilderExtensions
{
    /// <summary>
    /// Forwards events to OpenTelemetry, e.g.
    /// <c>.WriteToOpenTelemetry(o =&gt; o.AddOtlpExporter(e =&gt; e.Endpoint = new Uri("http://collector:4318/v1/logs")))</c>.
    /// </summary>
    public static LogPipelineBuilder WriteToOpenTelemetry(this LogPipelineBuilder builder, Action<OpenTelemetryLoggerOptions> configureOpenTelemetry, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WriteTo(new OpenTelemetrySink(configureOpenTelemetry), minimumLevel, "opentelemetry");
    }

    /// <summary>Forwards events to OpenTelemetry with the given sink options.</summary>
    public static LogPipelineBuilder WriteToOpenTelemetry(this LogPipelineBuilder builder, OpenTelemetrySinkOptions options, LogLevel minimumLevel = LogLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WriteTo(new OpenTelemetrySink(options), minimumLevel, "opentelemetry");
    }
}
