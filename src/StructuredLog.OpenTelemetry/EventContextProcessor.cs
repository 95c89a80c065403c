using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace StructuredLog.OpenTelemetry;

/// <summary>
/// Runs first among the OpenTelemetry processors and stamps each record with what the StructuredLog
/// event carried: its timestamp (captured on the calling thread) and its trace id, span id and flags.
/// The OpenTelemetry logger would otherwise take the time of forwarding and the <see cref="Activity"/>
/// of the writer thread (none). The sink sets the values just before each forwarded call, on the same
/// thread, and clears them after.
/// </summary>
internal sealed class EventContextProcessor : BaseProcessor<LogRecord>
{
    private bool _active;
    private DateTime _timestamp;
    private ActivityTraceId _traceId;
    private ActivitySpanId _spanId;
    private ActivityTraceFlags _flags;
    private bool _hasTrace;

    public void Begin(DateTime timestamp, bool hasTrace, ActivityTraceId traceId, ActivitySpanId spanId, ActivityTraceFlags flags)
    {
        _timestamp = timestamp;
        _hasTrace = hasTrace;
        _traceId = traceId;
        _spanId = spanId;
        _flags = flags;
        _active = true;
    }

    public void End() => _active = false;

    public override void OnEnd(LogRecord data)
    {
        if (!_active) return;
        data.Timestamp = _timestamp;
        if (_hasTrace)
        {
            data.TraceId = _traceId;
            data.SpanId = _spanId;
            data.TraceFlags = _flags;
        }
        else
        {
            data.TraceId = default;
            data.SpanId = default;
            data.TraceFlags = ActivityTraceFlags.None;
        }
    }
}
