using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Support;

/// <summary>
/// Checks exact delivery of events logged as <c>log.Info("{Producer} {Seq}", p, s)</c>: per producer the
/// sequence numbers must arrive 0, 1, 2... with no gap, repeat or reordering.
/// </summary>
public sealed class CountingSink : ILogSink
{
    private readonly int[] _next;
    public long Total;
    public long OrderViolations;
    public long Other;
    public readonly System.Collections.Concurrent.ConcurrentQueue<string> Notices = new();

    public CountingSink(int producers) => _next = new int[producers];

    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        foreach (var e in batch)
        {
            if (e.ArgumentCount != 2 || e.Category == "StructuredLog") { Other++; Notices.Enqueue(e.RenderMessage()); continue; }
            int producer = (int)e.Properties[0].Value.ToObject()!;
            int seq = (int)e.Properties[1].Value.ToObject()!;
            if (_next[producer] != seq) OrderViolations++;
            _next[producer] = seq + 1;
            Total++;
        }
    }

    public int NextExpected(int producer) => _next[producer];
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
