using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.Formatting.MessagePack.Tests.Support;

/// <summary>Keeps each event's bytes from every formatter it was given.</summary>
public sealed class CapturingSink(params ILogFormatter[] formatters) : ILogSink
{
    private readonly object _lock = new();

    public List<byte[][]> Events { get; } = new();

    /// <summary>Exceptions a formatter threw (the core replaces the event with a failure line; this keeps the stack).</summary>
    public List<string> Errors { get; } = new();

    /// <summary>Also run each formatter directly (outside the core's per-event cache) to catch exceptions with their stacks.</summary>
    public bool CheckFormatters { get; set; }

    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        lock (_lock)
        {
            foreach (ref readonly var e in batch)
            {
                var row = new byte[formatters.Length][];
                for (int i = 0; i < formatters.Length; i++)
                {
                    if (CheckFormatters)
                    {
                        try { formatters[i].Format(e, new System.Buffers.ArrayBufferWriter<byte>()); }
                        catch (Exception ex) { Errors.Add(ex.ToString()); }
                    }
                    row[i] = e.GetFormatted(formatters[i]).ToArray();
                }
                Events.Add(row);
            }
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
