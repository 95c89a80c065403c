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
}
