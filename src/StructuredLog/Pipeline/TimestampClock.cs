using System.Diagnostics;

namespace StructuredLog.Pipeline;

/// <summary>
/// Turns the counts of <see cref="PreciseClock"/> taken on calling threads (directly, or through the coarse clock) into
/// UTC ticks on the writer thread. Callers read that counter only (on Linux <c>DateTime.UtcNow</c> costs noticeably more:
/// it is the realtime clock plus a conversion); the writer anchors the counts to the wall clock and re-anchors about
/// once a second so that NTP adjustments show up. Writer thread only.
/// </summary>
/// <remarks>
/// When counts are the processor's time-stamp counter, its rate is measured too: against
/// <see cref="Stopwatch.GetTimestamp"/>, from a sample taken one to two minutes earlier (from the process's first sample
/// before that) to each anchor. While that span is still short the anchors come sooner (after as long as the span was,
/// from 100 µs up to a second), so an event never sits further from its anchor than the span its rate was measured over,
/// and the error stays near that of one sample's pairing (tens of nanoseconds).
/// </remarks>
internal sealed class TimestampClock
{
    private static readonly double s_ticksPerStopwatch = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
    private static readonly long s_rateWindow = 64 * Stopwatch.Frequency;
    private static readonly long s_shortestInterval = Stopwatch.Frequency / 10_000;
    private long _baseCount;
    private long _baseUtcTicks;
    private double _ticksPerCount;
    private long _interval; // counts from the anchor to the next one
    private (long Count, long Stopwatch) _rateFrom = PreciseClock.Start;
    private (long Count, long Stopwatch) _rateNext = PreciseClock.Start;

    public TimestampClock() => Anchor();

    /// <summary>DateTime ticks per count, as of the last anchor.</summary>
    internal double TicksPerCount => _ticksPerCount;

    /// <summary>Re-anchors when the last anchor is older than its interval (or <paramref name="now"/> is before it).</summary>
    public void AnchorIfStale(long now)
    {
        if ((ulong)(now - _baseCount) >= (ulong)_interval) Anchor();
    }

    public long ToUtcTicks(long count) => _baseUtcTicks + (long)((count - _baseCount) * _ticksPerCount);

    private void Anchor()
    {
        var sample = PreciseClock.Sample();
        long utc = DateTime.UtcNow.Ticks;
        if (sample.Stopwatch - _rateNext.Stopwatch >= s_rateWindow)
        {
            _rateFrom = _rateNext;
            _rateNext = sample;
        }
        _ticksPerCount = PreciseClock.TicksPerCount(_rateFrom, sample);
        _baseCount = sample.Count;
        _baseUtcTicks = utc;
        long interval = PreciseClock.UsesCycleCounter
            ? Math.Clamp(sample.Stopwatch - _rateFrom.Stopwatch, s_shortestInterval, Stopwatch.Frequency)
            : Stopwatch.Frequency;
        _interval = Math.Max(1, (long)(interval * s_ticksPerStopwatch / _ticksPerCount));
    }
}
