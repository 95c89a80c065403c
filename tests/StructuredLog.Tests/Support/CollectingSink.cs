using System.Collections.Concurrent;
using System.Text;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Support;

/// <summary>Copies what a test needs out of each event during Emit (events are views valid only then).</summary>
public sealed class CollectingSink : ILogSink
{
    private readonly ILogFormatter? _formatter;
    public CollectingSink(ILogFormatter? formatter = null) => _formatter = formatter;

    public ConcurrentQueue<Captured> Events { get; } = new();
    public int EmitCalls;

    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        Interlocked.Increment(ref EmitCalls);
        foreach (var e in batch)
        {
            var props = new Dictionary<string, object?>();
            foreach (var p in e.Properties) props.TryAdd(p.Name, p.Value.ToObject());
            for (var s = e.Scope; s is not null; s = s.Parent)
                foreach (var p in s.Properties) props.TryAdd(p.Name, p.Value.ToObject());
            Events.Enqueue(new Captured(e.Timestamp, e.Level, e.Category, e.Template.Text, e.RenderMessage(), props, e.Exception,
                e.HasTrace ? e.TraceId.ToHexString() : null, e.HasTrace ? e.SpanId.ToHexString() : null,
                _formatter is null ? null : Encoding.UTF8.GetString(e.GetFormatted(_formatter)), e.ThreadId));
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed record Captured(DateTime Timestamp, LogLevel Level, string Category, string Template, string Message,
    Dictionary<string, object?> Properties, Exception? Exception, string? TraceId, string? SpanId, string? Formatted, int ThreadId);
