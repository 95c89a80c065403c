using StructuredLog.Events;

namespace StructuredLog.Context;

/// <summary>What an <see cref="ILogEnricher"/> sees and adds to: the event and an <c>Add</c> method. Reused by the writer.</summary>
public sealed class EnrichmentTarget
{
    private EventRecord _record = null!;

    internal EnrichmentTarget() { }

    internal void Reset(EventRecord record) => _record = record;

    /// <summary>The event being enriched.</summary>
    public LogEvent Event => new(_record);

    /// <summary>Adds a property (typed, no boxing).</summary>
    public void Add<T>(string name, T value) => _record.AddProperty(new LogProperty(name, LogValue.From(value)));

    /// <summary>Adds a property unless the event already has one of that name.</summary>
    public void AddIfAbsent<T>(string name, T value)
    {
        for (int i = 0; i < _record.PropertyCount; i++) if (_record.Properties[i].Name == name) return;
        Add(name, value);
    }
}
