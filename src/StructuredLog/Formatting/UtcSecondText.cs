using System.Globalization;
using System.Runtime.CompilerServices;

namespace StructuredLog.Formatting;

/// <summary>One thread's current second as <c>yyyy-MM-ddTHH:mm:ss.</c> (UTC), formatted once per second; the caller appends the fraction it wants.</summary>
internal sealed class UtcSecondText
{
    /// <summary>The length of the date and time up to and with the decimal point.</summary>
    public const int Length = 20;
    private readonly byte[] _text = new byte[Length];
    private long _second = -1;

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.</c> for <paramref name="second"/> (ticks / <see cref="TimeSpan.TicksPerSecond"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] For(long second)
    {
        if (second != _second) FormatSecond(second);
        return _text;
    }

    /// <summary>The length of <see cref="WriteRoundTrip"/>'s text.</summary>
    public const int RoundTripLength = Length + 8;

    /// <summary>
    /// Writes the UTC time <paramref name="ticks"/> as the round-trip ("O") format writes a UTC <see cref="DateTime"/>:
    /// <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c> (<see cref="RoundTripLength"/> bytes; <paramref name="destination"/> must hold them).
    /// </summary>
    public void WriteRoundTrip(Span<byte> destination, long ticks)
    {
        long second = ticks / TimeSpan.TicksPerSecond;
        var span = destination[..RoundTripLength];
        For(second).CopyTo(span);
        uint fraction = (uint)(ticks - second * TimeSpan.TicksPerSecond);
        for (int i = Length + 6; i >= Length; i--)
        {
            uint next = fraction / 10;
            span[i] = (byte)('0' + (fraction - next * 10));
            fraction = next;
        }
        span[RoundTripLength - 1] = (byte)'Z';
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FormatSecond(long second)
    {
        new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(_text, out _, "yyyy-MM-dd'T'HH:mm:ss'.'", CultureInfo.InvariantCulture);
        _second = second;
    }
}
