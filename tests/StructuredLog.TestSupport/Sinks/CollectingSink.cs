using System.Text;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.TestSupport.Sinks;

/// <summary>One event as the sink saw it, copied out of the writer's storage.</summary>
public sealed record CapturedEvent(
    LogLevel Level,
    string Category,
    string Template,
    string Message,
    int EventId,
    string? EventName,
    Exception? Exception,
    string? TraceId,
    string? SpanId,
    IReadOnlyDictionary<string, LogValue> Properties,
    IReadOnlyDictionary<string, LogValue> ScopeProperties,
    string Json)
{
    /// <summary>A property of the event, or of a scope when the event has none of that name.</summary>
    public LogValue Get(string name) =>
        Properties.TryGetValue(name, out var v) ? v : ScopeProperties.TryGetValue(name, out v) ? v : throw new KeyNotFoundException(name + " in " + Json);
}

/// <summary>Keeps every event it is given (tests read them after <c>FlushAsync</c>).</summary>
public sealed class CollectingSink : ILogSink
{
    private readonly List<CapturedEvent> _events = new();

    public IReadOnlyList<CapturedEvent> Events
    {
        get { lock (_events) return _events.ToArray(); }
    }

    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        foreach (ref readonly var e in batch)
        {
            var props = new Dictionary<string, LogValue>(StringComparer.Ordinal);
            foreach (var p in e.Properties) props[p.Name] = p.Value;
            var scope = new Dictionary<string, LogValue>(StringComparer.Ordinal);
            for (var s = e.Scope; s is not null; s = s.Parent)
                foreach (var p in s.Properties) scope.TryAdd(p.Name, p.Value);
            var captured = new CapturedEvent(e.Level, e.Category, e.Template.Text, e.RenderMessage(), e.EventId, e.EventName, e.Exception,
                e.HasTrace ? e.TraceId.ToHexString() : null, e.HasTrace ? e.SpanId.ToHexString() : null, props, scope,
                Encoding.UTF8.GetString(e.GetFormatted(JsonFormatter.Default)));
            lock (_events) _events.Add(captured);
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
