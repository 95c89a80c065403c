using System.Buffers;
using System.Text;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>
/// Byte-level rules of the syslog formats: header fields (PRINTUSASCII), SD-NAMEs and PARAM-VALUE
/// escaping (RFC 5424 §6), and the neutralisation of line breaks and control characters so that no
/// value can forge a second message.
/// </summary>
internal static class SyslogText
{
    /// <summary>A header field: printable US-ASCII (33..126) only, others replaced with <c>_</c>, cut to <paramref name="max"/>; empty → <c>-</c>.</summary>
    public static string HeaderField(string? value, int max)
    {
        if (string.IsNullOrEmpty(value)) return "-";
        var sb = new StringBuilder(Math.Min(value.Length, max));
        foreach (char c in value)
        {
            if (sb.Length == max) break;
            sb.Append(c is >= '!' and <= '~' ? c : '_');
        }
        return sb.ToString();
    }

    /// <summary>SD-ID and PARAM-NAME rule: 1..32 of printable US-ASCII except '=', ' ', ']' and '"'.</summary>
    public static bool IsValidSdName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 32) return false;
        foreach (char c in name)
        {
            if (c is < '!' or > '~' or '=' or ']' or '"') return false;
        }
        return true;
    }

    /// <summary>An SD-ID we may use: a valid SD-NAME containing '@' followed by digits (a private enterprise number).</summary>
    public static bool IsValidSdId(string? id)
    {
        if (id is null || !IsValidSdName(id)) return false;
        int at = id.IndexOf('@');
        if (at <= 0 || at == id.Length - 1) return false;
        foreach (char c in id.AsSpan(at + 1)) if (c is not (>= '0' and <= '9' or '.')) return false;
        return true;
    }

    /// <summary>Writes a PARAM-NAME: invalid characters become <c>_</c>, cut to 32, empty → <c>_</c>.</summary>
    public static void WriteParamName(IBufferWriter<byte> output, ReadOnlySpan<char> name)
    {
        int n = Math.Min(name.Length, 32);
        var span = output.GetSpan(Math.Max(n, 1));
        if (n == 0) { span[0] = (byte)'_'; output.Advance(1); return; }
        for (int i = 0; i < n; i++)
        {
            char c = name[i];
            span[i] = c is < '!' or > '~' or '=' or ']' or '"' ? (byte)'_' : (byte)c;
        }
        output.Advance(n);
    }

    /// <summary>
    /// Copies UTF-8 <paramref name="text"/> neutralising every C0 control, DEL, NEL (U+0085) and U+2028/U+2029
    /// as a visible escape (<c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\u001b</c>...). With <paramref name="paramValue"/>,
    /// also backslash-escapes <c>"</c>, <c>\</c> and <c>]</c> (RFC 5424 §6.3.3).
    /// </summary>
    public static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<byte> text, bool paramValue) =>
        LineEscaping.Write(output, text, paramValue ? "\"\\]"u8 : default);

    public static void Copy(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => LineEscaping.Copy(output, bytes);

    public static void Ascii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        output.Advance(ascii.Length);
    }

    public static void Byte(IBufferWriter<byte> output, byte b) => LineEscaping.Byte(output, b);

    public static void Number(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out int w, default, System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(w);
    }

    /// <summary>Writes a UTF-16 string as UTF-8 (invalid sequences → U+FFFD) into a scratch buffer.</summary>
    public static void Utf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var span = output.GetSpan(Math.Min(text.Length, 4096) * 3);
            System.Text.Unicode.Utf8.FromUtf16(text, span, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            output.Advance(written);
            text = text[read..];
        }
    }

    /// <summary>The largest prefix length of <paramref name="utf8"/> not above <paramref name="max"/> that does not split a character.</summary>
    public static int Utf8Boundary(ReadOnlySpan<byte> utf8, int max)
    {
        if (utf8.Length <= max) return utf8.Length;
        int n = max;
        while (n > 0 && (utf8[n] & 0xC0) == 0x80) n--;
        return n;
    }

    /// <summary>
    /// The largest prefix length of already-escaped text not above <paramref name="max"/> that splits neither
    /// an escape sequence (<c>\x</c>, <c>\uXXXX</c>) nor a UTF-8 character.
    /// </summary>
    public static int EscapedBoundary(ReadOnlySpan<byte> escaped, int max)
    {
        int pos = 0;
        while (pos < escaped.Length)
        {
            byte b = escaped[pos];
            int len;
            if (b == (byte)'\\' && pos + 1 < escaped.Length && escaped[pos + 1] < 0x80)
            {
                // "\uXXXX" or a two-byte escape; a literal backslash before a non-ASCII character is a token of its own.
                len = escaped[pos + 1] == (byte)'u' && pos + 5 < escaped.Length && IsHex(escaped.Slice(pos + 2, 4)) ? 6 : 2;
            }
            else
            {
                len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            }
            if (pos + len > max) break;
            pos += len;
        }
        return Math.Min(pos, escaped.Length);
    }

    [ThreadStatic] private static SecondCache? t_second;

    /// <summary>
    /// Writes the UTC time <paramref name="ticks"/> as RFC 3339 with six fraction digits and <c>Z</c>
    /// (<c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, the digits cut, not rounded, as the <c>ffffff</c> format does) and
    /// returns the 27 bytes' length. The date and time up to the second are formatted once per second per thread.
    /// </summary>
    public static int Rfc3339Microseconds(Span<byte> destination, long ticks)
    {
        var cache = t_second ??= new SecondCache();
        long second = ticks / TimeSpan.TicksPerSecond;
        if (second != cache.Second)
        {
            new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).TryFormat(cache.Prefix, out _, "yyyy-MM-dd'T'HH:mm:ss'.'", System.Globalization.CultureInfo.InvariantCulture);
            cache.Second = second;
        }
        const int prefix = 20;
        cache.Prefix.CopyTo(destination);
        uint micros = (uint)(ticks - second * TimeSpan.TicksPerSecond) / 10;
        for (int i = prefix + 5; i >= prefix; i--)
        {
            uint next = micros / 10;
            destination[i] = (byte)('0' + (micros - next * 10));
            micros = next;
        }
        destination[prefix + 6] = (byte)'Z';
        return prefix + 7;
    }

    private sealed class SecondCache
    {
        public long Second = -1;
        public readonly byte[] Prefix = new byte[20];

        // RFC 3164's "Mmm dd hh:mm:ss" for one second, in UTC or in the local zone it was made for.
        public long BsdSecond = -1;
        public bool BsdLocal;
        public TimeZoneInfo? BsdZone;
        public readonly byte[] Bsd = new byte[Rfc3164TimeLength];
    }

    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>The length of <see cref="Rfc3164Time"/>'s text.</summary>
    public const int Rfc3164TimeLength = 15;

    /// <summary>
    /// Writes RFC 3164's <c>Mmm dd hh:mm:ss</c> (the day padded with a space, §4.1.2) for the UTC time
    /// <paramref name="utcTicks"/>, in the local zone when <paramref name="local"/>; formatted once per second
    /// per thread (and again when the local zone changes).
    /// </summary>
    public static void Rfc3164Time(Span<byte> destination, long utcTicks, bool local)
    {
        var cache = t_second ??= new SecondCache();
        long second = utcTicks / TimeSpan.TicksPerSecond;
        var zone = local ? TimeZoneInfo.Local : null;
        if (second != cache.BsdSecond || local != cache.BsdLocal || !ReferenceEquals(zone, cache.BsdZone))
        {
            var utc = new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            var t = local ? TimeZoneInfo.ConvertTimeFromUtc(utc, zone!) : utc;
            var b = cache.Bsd;
            var month = s_months[t.Month - 1];
            b[0] = (byte)month[0];
            b[1] = (byte)month[1];
            b[2] = (byte)month[2];
            b[3] = (byte)' ';
            b[4] = t.Day < 10 ? (byte)' ' : (byte)('0' + t.Day / 10);
            b[5] = (byte)('0' + t.Day % 10);
            b[6] = (byte)' ';
            t.TryFormat(b.AsSpan(7), out _, "HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            cache.BsdSecond = second;
            cache.BsdLocal = local;
            cache.BsdZone = zone;
        }
        cache.Bsd.CopyTo(destination);
    }

    private static bool IsHex(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s) if (!char.IsAsciiHexDigit((char)b)) return false;
        return true;
    }
}
