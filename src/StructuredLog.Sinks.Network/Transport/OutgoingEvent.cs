namespace StructuredLog.Sinks.Network.Transport;

/// <summary>A formatted event on its way out: from the batching queue or read back from the spill directory.</summary>
internal readonly record struct OutgoingEvent(ReadOnlyMemory<byte> Payload, long TimestampTicks, LogLevel Level);
