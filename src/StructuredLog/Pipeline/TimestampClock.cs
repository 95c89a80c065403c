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
    private static readonly long s_rateWindow = 64 * Stopwatch.Frequency;
    private static readonly long s_shortestInterval = Stopwatch.Frequency / 10_000;
    private static readonly long s_tightPair = Stopwatch.Frequency / 500_000; // 2 µs: nothing preempted the reads
    private readonly Func<(long Count, long Stopwatch)> _sample;
    private readonly bool _measureRate;
    private long _baseCount;
    private long _baseUtcTicks;
    private double _ticksPerCount;
    private long _interval; // counts from the anchor to the next one
    private (long Count, long Stopwatch) _rateFrom;
    private (long Count, long Stopwatch) _rateNext;

    public TimestampClock()
        : this(PreciseClock.Sample, PreciseClock.Start, PreciseClock.UsesCycleCounter ? PreciseClock.StartTicksPerCount : 0)
    {
    }

    /// <summary>
    /// A clock whose samples come from <paramref name="sample"/>. With <paramref name="startTicksPerCount"/> &gt; 0 counts are
    /// not stopwatch values: their rate is measured from <paramref name="start"/> on, starting from that one.
    /// </summary>
    internal TimestampClock(Func<(long Count, long Stopwatch)> sample, (long Count, long Stopwatch) start, double startTicksPerCount)
    {
        _sample = sample;
        _measureRate = startTicksPerCount > 0;
        _ticksPerCount = _measureRate ? startTicksPerCount : PreciseClock.TicksPerStopwatch;
        _rateFrom = _rateNext = start;
        Anchor();
    }

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
        var (sample, utc) = SampleWithWallClock();
        if (_measureRate)
        {
            if (sample.Count <= _rateFrom.Count || sample.Stopwatch <= _rateFrom.Stopwatch)
            {
                // The counter went back (a processor whose counter was reset across a suspend) or nothing has elapsed:
                // the rate is measured afresh from here, and the last one is kept meanwhile.
                _rateFrom = _rateNext = sample;
            }
            else
            {
                if (sample.Stopwatch - _rateNext.Stopwatch >= s_rateWindow)
                {
                    _rateFrom = _rateNext;
                    _rateNext = sample;
                }
                _ticksPerCount = PreciseClock.TicksPerCountBetween(_rateFrom, sample);
            }
        }
        _baseCount = sample.Count;
        _baseUtcTicks = utc;
        long interval = _measureRate
            ? Math.Clamp(sample.Stopwatch - _rateFrom.Stopwatch, s_shortestInterval, Stopwatch.Frequency)
            : Stopwatch.Frequency;
        _interval = Math.Max(1, (long)(interval * PreciseClock.TicksPerStopwatch / _ticksPerCount));
    }

    /// <summary>
    /// A sample and the wall clock of the same instant: the wall clock read between two samples, the pair taken at their
    /// midpoint, from the tightest of up to three tries. A writer preempted between its reads would otherwise anchor every
    /// event of the next second to a wall clock read that much later.
    /// </summary>
    private ((long Count, long Stopwatch) Sample, long UtcTicks) SampleWithWallClock()
    {
        (long Count, long Stopwatch) best = default;
        long bestUtc = 0, bestWidth = long.MaxValue;
        for (int i = 0; i < 3 && bestWidth > s_tightPair; i++)
        {
            var before = _sample();
            long utc = DateTime.UtcNow.Ticks;
            var after = _sample();
            long width = after.Stopwatch - before.Stopwatch;
            if (width < 0 || width >= bestWidth) continue;
            bestWidth = width;
            bestUtc = utc;
            best = (before.Count + (after.Count - before.Count) / 2, before.Stopwatch + width / 2);
        }
        return bestWidth == long.MaxValue ? (_sample(), DateTime.UtcNow.Ticks) : (best, bestUtc);
    }
}
