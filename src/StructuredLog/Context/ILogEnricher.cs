using StructuredLog.Events;

namespace StructuredLog.Context;

/// <summary>
/// Adds properties to events. Enrichers run on the writer thread, before sinks see the event; data
/// of the calling thread reaches them through the event (thread id, scopes, trace ids).
/// </summary>
public interface ILogEnricher
{
    /// <summary>Adds properties to <paramref name="target"/> for the event it carries.</summary>
    void Enrich(EnrichmentTarget target);
}
