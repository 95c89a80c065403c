namespace StructuredLog.Sinks;

/// <summary>Counters a sink exposes; the pipeline publishes them as metrics tagged with the sink's name.</summary>
public interface ISinkCounters
{
    /// <summary>The sink's name in metrics and self-log messages.</summary>
    string Name { get; }

    /// <summary>Events delivered to the destination.</summary>
    long EventsWritten { get; }

    /// <summary>Events given up on after a permanent error or exhausted retries.</summary>
    long EventsFailed { get; }

    /// <summary>Events dropped because the sink's own queue was full.</summary>
    long EventsDropped { get; }
}
