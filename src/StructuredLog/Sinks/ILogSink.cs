using StructuredLog.Events;

namespace StructuredLog.Sinks;

/// <summary>
/// The one sink contract. <see cref="Emit"/> is called on the pipeline's writer thread with a batch of
/// events; it must not block for long (sinks that do I/O derive from <see cref="BatchingSink"/>, which
/// copies the formatted bytes and does the I/O on its own task). The events are views valid only
/// during the call. An exception thrown by a sink is caught, counted and reported through the self-log;
/// it never reaches the application or other sinks.
/// </summary>
public interface ILogSink : IAsyncDisposable
{
    /// <summary>Receives a batch of events, in the order they were logged.</summary>
    void Emit(ReadOnlySpan<LogEvent> batch);

    /// <summary>Completes when everything passed to <see cref="Emit"/> before the call is durable at the sink's destination.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
