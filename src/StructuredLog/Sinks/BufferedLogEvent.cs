namespace StructuredLog.Sinks;

/// <summary>An event held by <see cref="BatchingSink"/>: its formatted bytes plus the fields protocols need.</summary>
public readonly struct BufferedLogEvent
{
    internal BufferedLogEvent(ReadOnlyMemory<byte> payload, long timestampTicks, LogLevel level, long sequence)
    {
        Payload = payload;
        TimestampTicks = timestampTicks;
        Level = level;
        Sequence = sequence;
    }

    /// <summary>The event as formatted by the sink's formatter (including its trailing newline, if the formatter writes one).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>UTC timestamp ticks.</summary>
    public long TimestampTicks { get; }

    /// <summary>UTC timestamp.</summary>
    public DateTime Timestamp => new(TimestampTicks, DateTimeKind.Utc);

    /// <summary>The level.</summary>
    public LogLevel Level { get; }

    /// <summary>Position of the event in this sink's stream (0, 1, 2...), for de-duplication and ordering checks.</summary>
    public long Sequence { get; }
}
