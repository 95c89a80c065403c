using System.Globalization;
using System.Runtime.CompilerServices;

namespace StructuredLog.Formatting;

/// <summary>
/// A fast path for the doubles logs are full of (12.5, 0.25, 3.14159): writes the same text as
/// <c>double.TryFormat(dest, out n, default, InvariantCulture)</c> (the shortest string that round-trips)
/// in a fraction of its time, and declines every value it cannot prove it writes identically.
/// </summary>
/// <remarks>
/// For 1e-4 ≤ |d| &lt; 1e15 (where .NET prints plain, not scientific, notation) it looks for the
/// smallest k ≤ 9 such that m = round(|d|·10^k) has at most 15 digits and m / 10^k == |d|. That
/// quotient of two exact doubles is correctly rounded, like parsing the decimal, so the text round-trips;
/// decimals of at most 15 significant digits map to distinct doubles (DBL_DIG), so no other candidate
/// of that length exists, and a shorter one would have been found at a smaller k. Anything else (more
/// digits, tiny or huge magnitudes, zero, NaN, infinities) returns false and the caller uses the BCL.
/// </remarks>
internal static class ShortDouble
{
    private static readonly double[] s_pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

    /// <summary>Writes <paramref name="value"/> as ASCII digits, or returns false (nothing written) when the value is not on the fast path.</summary>
    public static bool TryFormat(double value, Span<byte> destination, out int written)
    {
        double a = Math.Abs(value);
        written = 0;
        if (!(a >= 1e-4 && a < 1e15) || destination.Length < 24) return false;
        for (int k = 0; k < s_pow10.Length; k++)
        {
            double scaled = a * s_pow10[k];
            if (scaled >= 1e15) return false;
            double m = Math.Round(scaled);
            if (m / s_pow10[k] != a) continue;
            written = Write(value < 0, (ulong)m, k, destination);
            return true;
        }
        return false;
    }

    /// <summary>Writes the double through the fast path when possible, else through the BCL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFormatAny(double value, Span<byte> destination, out int written) =>
        TryFormat(value, destination, out written) || value.TryFormat(destination, out written, default, CultureInfo.InvariantCulture);

    private static int Write(bool negative, ulong m, int k, Span<byte> d)
    {
        int pos = 0;
        if (negative) d[pos++] = (byte)'-';
        m.TryFormat(d[pos..], out int n, default, CultureInfo.InvariantCulture);
        if (k == 0) return pos + n;
        if (n <= k)
        {
            // 0.000ddd: move the digits right past "0." and the leading zeros.
            int shift = k - n + 2;
            d.Slice(pos, n).CopyTo(d[(pos + shift)..]);
            d[pos] = (byte)'0';
            d[pos + 1] = (byte)'.';
            d.Slice(pos + 2, k - n).Fill((byte)'0');
            return pos + k + 2;
        }
        // ddd.dd: move the last k digits right by one for the point.
        d.Slice(pos + n - k, k).CopyTo(d[(pos + n - k + 1)..]);
        d[pos + n - k] = (byte)'.';
        return pos + n + 1;
    }
}
