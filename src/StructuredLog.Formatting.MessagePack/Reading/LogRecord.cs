using System.Diagnostics;

namespace StructuredLog.Formatting.MessagePack;

/// <summary>
/// An event read back from the MessagePack format. Property values are <c>null</c>, <see cref="bool"/>,
/// <see cref="long"/>, <see cref="ulong"/> (above <see cref="long.MaxValue"/>), <see cref="float"/>,
/// <see cref="double"/>, <see cref="decimal"/>, <see cref="string"/>, <see cref="System.DateTime"/>,
/// <see cref="System.DateTimeOffset"/>, <see cref="System.TimeSpan"/>, <see cref="System.Guid"/> or
/// <see cref="RawJsonValue"/> (destructured objects); enums, chars and other objects were stored as text.
/// </summary>
public sealed class LogRecord
{
    /// <summary>When the event was logged (UTC).</summary>
    public DateTime Timestamp { get; init; }

    /// <summary>The level.</summary>
    public LogLevel Level { get; init; }

    /// <summary>The logger's category.</summary>
    public string Category { get; init; } = "";

    /// <summary>The message template text.</summary>
    public string Template { get; init; } = "";

    /// <summary>The rendered message.</summary>
    public string Message { get; init; } = "";

    /// <summary>The exception text (<c>ToString()</c>), or null.</summary>
    public string? Exception { get; init; }

    /// <summary>The trace id, or default.</summary>
    public ActivityTraceId TraceId { get; init; }

    /// <summary>The span id, or default.</summary>
    public ActivitySpanId SpanId { get; init; }

    /// <summary>The trace flags.</summary>
    public ActivityTraceFlags TraceFlags { get; init; }

    /// <summary>True when a trace id was recorded.</summary>
    public bool HasTrace => TraceId != default;

    /// <summary>The event id (0 when none).</summary>
    public int EventId { get; init; }

    /// <summary>The event name, or null.</summary>
    public string? EventName { get; init; }

    /// <summary>The properties in the order the JSON formatter writes them: event properties, then scope properties (innermost first, names not repeated).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Properties { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Timestamp:O} {Level} {Category}: {Message}";
}
