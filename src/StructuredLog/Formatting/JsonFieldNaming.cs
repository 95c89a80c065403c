namespace StructuredLog.Formatting;

/// <summary>Field names used by <see cref="JsonFormatter"/>.</summary>
public enum JsonFieldNaming
{
    /// <summary>
    /// Compact names: <c>@t</c> timestamp, <c>@l</c> level, <c>@m</c> rendered message, <c>@mt</c>
    /// template, <c>@x</c> exception, <c>@tr</c>/<c>@sp</c> trace and span ids, <c>@c</c> category,
    /// <c>@i</c> event id, then the properties at top level.
    /// </summary>
    Compact,

    /// <summary>
    /// Names after the OpenTelemetry log data model: <c>timestamp</c>, <c>severityText</c>,
    /// <c>severityNumber</c>, <c>body</c>, <c>traceId</c>, <c>spanId</c>, <c>traceFlags</c> and an
    /// <c>attributes</c> object holding the properties, <c>message.template</c>, <c>log.category</c>
    /// and <c>exception.type</c>/<c>exception.message</c>/<c>exception.stacktrace</c>.
    /// </summary>
    OpenTelemetry,
}
