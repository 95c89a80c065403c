using System.Globalization;
using System.Text;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>The fast double path must write exactly what the BCL writes, or decline.</summary>
public sealed class ShortDoubleTests
{
    private static int Check(double d)
    {
        Span<byte> fast = stackalloc byte[64];
        Span<byte> bcl = stackalloc byte[64];
        Assert.True(d.TryFormat(bcl, out int expected, default, CultureInfo.InvariantCulture));
        if (!ShortDouble.TryFormat(d, fast, out int written)) return 0;
        if (!fast[..written].SequenceEqual(bcl[..expected]))
            Assert.Fail($"{d:R}: fast path wrote '{Encoding.ASCII.GetString(fast[..written])}', BCL '{Encoding.ASCII.GetString(bcl[..expected])}'");
        return 1;
    }

    [Fact]
    public void Matches_the_bcl_on_short_decimals_random_bits_and_boundaries()
    {
        var random = new Random(20261125);
        int taken = 0, total = 0;
        // Decimals with few digits at every scale of the fast path's range, both signs.
        for (int i = 0; i < 300_000; i++)
        {
            long mantissa = random.NextInt64(1, 1_000_000_000_000_000);
            mantissa /= (long)Math.Pow(10, random.Next(0, 15));
            double d = mantissa / Math.Pow(10, random.Next(0, 20)) * (random.Next(2) == 0 ? 1 : -1);
            taken += Check(d);
            total++;
        }
        // Arbitrary bit patterns (mostly declined), and values next to the range limits and to short decimals.
        for (int i = 0; i < 300_000; i++) { taken += Check(BitConverter.Int64BitsToDouble(random.NextInt64())); total++; }
        foreach (double edge in new[] { 1e-4, 1e15, 1e15 - 1, 999999999999999.9, 0.1, 0.2, 0.3, 0.1 + 0.2, 1.0 / 3, 2.5, 0.25, 12.5, 100, 5e-5, 123456789.123456789 })
        {
            foreach (double d in new[] { edge, -edge, Math.BitIncrement(edge), Math.BitDecrement(edge) }) { taken += Check(d); total++; }
        }
        for (int i = 0; i < 100_000; i++) { taken += Check(i * 0.25); taken += Check(i * 0.1); taken += Check(i / 7.0); total += 3; }
        Assert.True(taken > total / 4, $"the fast path took only {taken} of {total} values");
    }

    [Fact]
    public void Declines_what_it_cannot_write_identically()
    {
        Span<byte> buffer = stackalloc byte[64];
        foreach (double d in new[] { 0.0, -0.0, double.NaN, double.PositiveInfinity, 1e15, 1e-5, double.Epsilon, 0.1 + 0.2 })
            Assert.False(ShortDouble.TryFormat(d, buffer, out _), d.ToString("R", CultureInfo.InvariantCulture));
    }
}
