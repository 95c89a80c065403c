using System.Diagnostics;

namespace StructuredLog.Pipeline;

/// <summary>
/// Turns <see cref="Stopwatch.GetTimestamp"/> values taken on calling threads into UTC ticks on the
/// writer thread. Callers read the monotonic clock only (on Linux <c>DateTime.UtcNow</c> costs
/// noticeably more than the monotonic clock: it is the realtime clock plus a conversion); the writer
/// anchors it to the wall clock and re-anchors about once a second so that NTP adjustments show up.
/// Writer thread only.
/// </summary>
internal sealed class TimestampClock
{
    private static readonly double s_ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
    private long _baseTimestamp;
    private long _baseUtcTicks;

    public TimestampClock() => Anchor();

    /// <summary>Re-anchors when the last anchor is older than a second.</summary>
    public void AnchorIfStale(long nowTimestamp)
    {
        if (nowTimestamp - _baseTimestamp >= Stopwatch.Frequency) Anchor();
    }

    public long ToUtcTicks(long timestamp) => _baseUtcTicks + (long)((timestamp - _baseTimestamp) * s_ticksPerTimestamp);

    private void Anchor()
    {
        _baseTimestamp = Stopwatch.GetTimestamp();
        _baseUtcTicks = DateTime.UtcNow.Ticks;
    }
}
