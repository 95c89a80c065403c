using System.Globalization;
using System.Text;
using StructuredLog.Sinks.Network.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

/// <summary>The RFC 5424 timestamp comes from a per-second cache plus six digits: it must equal .NET's own formatting of the same instant.</summary>
public sealed class SyslogTimestampTests
{
    private static string Expected(long ticks) =>
        new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Actual(long ticks)
    {
        var buffer = new byte[32];
        int n = SyslogText.Rfc3339Microseconds(buffer, ticks);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    [Fact]
    public void Random_instants_edges_and_consecutive_ticks_across_second_boundaries_match_the_custom_format()
    {
        var random = new Random(42);
        var ticks = new List<long> { 0, 9, 10, 9_999_999, 10_000_000, DateTime.MaxValue.Ticks, 638_000_000_000_000_000, 638_000_000_009_999_990 };
        for (int i = 0; i < 5000; i++) ticks.Add(random.NextInt64(0, DateTime.MaxValue.Ticks));
        for (long t = 638_000_000_009_999_000; t < 638_000_000_010_001_000; t += 3) ticks.Add(t);
        // Going back in time as well as forward (the cache is keyed by the second, not ordered).
        for (int i = 0; i < 200; i++) ticks.Add(638_000_000_000_000_000 - i * 13_000_001L);
        foreach (long t in ticks) Assert.Equal(Expected(t), Actual(t));
    }

    /// <summary>RFC 3164's time as the formatter wrote it before the per-second cache.</summary>
    private static string Rfc3164Expected(long ticks, bool local)
    {
        var t = new DateTime(ticks, DateTimeKind.Utc);
        if (local) t = t.ToLocalTime();
        string[] months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        return months[t.Month - 1] + " " + (t.Day < 10 ? " " : "") + t.Day.ToString(CultureInfo.InvariantCulture) + " " +
            t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>Run with a <c>TZ</c> other than UTC to see local time differ (CI's machine runs in UTC, where both modes agree).</summary>
    [Fact]
    public void Rfc3164_time_matches_the_former_formatting_in_utc_and_local_time()
    {
        var random = new Random(3164);
        long from = new DateTime(1971, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks, to = new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var ticks = new List<long>();
        for (int i = 0; i < 3000; i++) ticks.Add(random.NextInt64(from, to));
        for (long t = 638_000_000_009_999_000; t < 638_000_000_010_001_000; t += 3) ticks.Add(t);
        var buffer = new byte[SyslogText.Rfc3164TimeLength];
        // Both modes for each instant in turn, so that a cache entry made for one mode meets the other.
        foreach (long t in ticks)
        {
            foreach (bool local in new[] { false, true })
            {
                SyslogText.Rfc3164Time(buffer, t, local);
                Assert.Equal(Rfc3164Expected(t, local), Encoding.ASCII.GetString(buffer));
            }
        }
    }
}
