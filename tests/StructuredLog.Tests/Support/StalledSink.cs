using StructuredLog.Events;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Support;

/// <summary>A sink that blocks the writer until released: the ring fills up behind it.</summary>
public sealed class StalledSink : ILogSink
{
    public readonly ManualResetEventSlim Release = new(false);
    public readonly ManualResetEventSlim Entered = new(false);
    public long Delivered;
    public long DropReports;
    public long ReportedDropped;

    public void Emit(ReadOnlySpan<LogEvent> batch)
    {
        Entered.Set();
        Release.Wait(TimeSpan.FromSeconds(30));
        foreach (var e in batch)
        {
            if (e.Category == "StructuredLog" && e.TryGetProperty("DroppedCount", out var v))
            {
                DropReports++;
                ReportedDropped += (long)v.ToObject()!;
            }
            else Delivered++;
        }
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
