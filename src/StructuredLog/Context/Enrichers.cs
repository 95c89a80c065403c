using System.Diagnostics;

namespace StructuredLog.Context;

/// <summary>Built-in enrichers.</summary>
public static class Enrichers
{
    /// <summary>Adds <c>MachineName</c>.</summary>
    public static ILogEnricher MachineName() => new PropertyEnricher<string>("MachineName", Environment.MachineName);

    /// <summary>Adds <c>ProcessId</c> and <c>ProcessName</c>.</summary>
    public static ILogEnricher Process()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessEnricher(Environment.ProcessId, p.ProcessName);
    }

    /// <summary>Adds <c>ThreadId</c>: the managed id of the thread that logged (captured on that thread).</summary>
    public static ILogEnricher ThreadId() => new ThreadIdEnricher();

    /// <summary>Adds a fixed property to every event.</summary>
    public static ILogEnricher Property<T>(string name, T value) => new PropertyEnricher<T>(name, value);

    /// <summary>Wraps a delegate as an enricher.</summary>
    public static ILogEnricher FromDelegate(Action<EnrichmentTarget> enrich) => new DelegateEnricher(enrich);

    private sealed class PropertyEnricher<T>(string name, T value) : ILogEnricher
    {
        public void Enrich(EnrichmentTarget target) => target.Add(name, value);
    }

    private sealed class ProcessEnricher(int id, string name) : ILogEnricher
    {
        public void Enrich(EnrichmentTarget target)
        {
            target.Add("ProcessId", id);
            target.Add("ProcessName", name);
        }
    }

    private sealed class ThreadIdEnricher : ILogEnricher
    {
        public void Enrich(EnrichmentTarget target) => target.Add("ThreadId", target.Event.ThreadId);
    }

    private sealed class DelegateEnricher(Action<EnrichmentTarget> enrich) : ILogEnricher
    {
        public void Enrich(EnrichmentTarget target) => enrich(target);
    }
}
