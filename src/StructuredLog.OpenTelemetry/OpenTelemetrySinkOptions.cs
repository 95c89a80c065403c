using OpenTelemetry.Logs;

namespace StructuredLog.OpenTelemetry;

/// <summary>Settings of <see cref="OpenTelemetrySink"/>.</summary>
public sealed class OpenTelemetrySinkOptions
{
    /// <summary>
    /// Configures the OpenTelemetry logger provider the events are forwarded to: add the exporter
    /// here, e.g. <c>o =&gt; o.AddOtlpExporter(e =&gt; e.Endpoint = new Uri("http://collector:4318/v1/logs"))</c>,
    /// and the resource (<c>o.SetResourceBuilder(...)</c>). Required.
    /// </summary>
    public Action<OpenTelemetryLoggerOptions>? ConfigureOpenTelemetry { get; set; }

    /// <summary>Sends the rendered message as the body (default true); false sends the message template.</summary>
    public bool RenderedMessageAsBody { get; set; } = true;

    /// <summary>Adds the properties of the event's scopes as attributes (default true; the event's own properties win).</summary>
    public bool IncludeScopeProperties { get; set; } = true;

    /// <summary>How long <see cref="OpenTelemetrySink.FlushAsync"/> lets the OpenTelemetry provider export (default 10 s).</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
