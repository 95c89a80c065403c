using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Support;

public sealed class NullSink : ILogSink
{
    public long Count;
    public void Emit(ReadOnlySpan<LogEvent> batch) => Count += batch.Length;
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
