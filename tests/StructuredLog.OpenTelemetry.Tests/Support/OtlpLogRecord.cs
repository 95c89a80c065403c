namespace StructuredLog.OpenTelemetry.Tests.Support;

/// <summary>One decoded OTLP <c>LogRecord</c> (opentelemetry/proto/logs/v1/logs.proto) with its scope and resource.</summary>
public sealed class OtlpLogRecord
{
    public ulong TimeUnixNano { get; set; }
    public ulong ObservedTimeUnixNano { get; set; }
    public int SeverityNumber { get; set; }
    public string? SeverityText { get; set; }
    public object? Body { get; set; }
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
    public uint Flags { get; set; }
    public string? TraceId { get; set; }
    public string? SpanId { get; set; }
    public string? EventName { get; set; }
    public string? ScopeName { get; set; }
    public Dictionary<string, object?> Resource { get; } = new(StringComparer.Ordinal);

    public DateTime Timestamp => DateTime.UnixEpoch.AddTicks((long)(TimeUnixNano / 100));
}
