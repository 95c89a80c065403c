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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FormatSecond(long second)
    {
        new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(_text, out _, "yyyy-MM-dd'T'HH:mm:ss'.'", CultureInfo.InvariantCulture);
        _second = second;
    }
}
