using System.Buffers;

namespace StructuredLog.Formatting;

/// <summary>
/// Copies UTF-8 text so that it cannot break or forge a line: CR, LF, tab, the other C0 controls, DEL,
/// NEL (U+0085) and the Unicode line/paragraph separators become visible escapes (<c>\n</c>,
/// <c>\u001b</c>...). Optionally also backslash-escapes chosen ASCII characters (a quote, the
/// backslash, syslog's <c>]</c>). For formatters outside the core too, so that every text format
/// neutralises the same characters the same way.
/// </summary>
public static class LineEscaping
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    // Every byte that can start something to escape: the C0 controls, DEL, and the lead bytes of NEL
    // (C2 85) and of the line and paragraph separators (E2 80 A8/A9).
    private static readonly SearchValues<byte> s_special = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F, 0xC2, 0xE2]);

    /// <summary>False when <see cref="Write(IBufferWriter{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> without extra characters would copy <paramref name="text"/> unchanged (one vectorised search).</summary>
    internal static bool NeedsEscaping(ReadOnlySpan<byte> text) => text.ContainsAny(s_special);

    /// <summary>Copies <paramref name="text"/> with line breaks and controls escaped, plus <paramref name="quote"/> and (optionally) the backslash.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> text, byte quote = 0, bool escapeBackslash = false)
    {
        Span<byte> also = stackalloc byte[2];
        int n = 0;
        if (quote != 0) also[n++] = quote;
        if (escapeBackslash) also[n++] = (byte)'\\';
        Write(output, text, also[..n]);
    }

    /// <summary>Copies <paramref name="text"/> with line breaks and controls escaped, and each ASCII byte of <paramref name="alsoEscape"/> preceded by a backslash.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> text, ReadOnlySpan<byte> alsoEscape)
    {
        if (!NeedsEscaping(text) && (alsoEscape.IsEmpty || !text.ContainsAny(alsoEscape)))
        {
            Copy(output, text);
            return;
        }
        int runStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            int skip;
            if (b < 0x20 || b == 0x7F || (!alsoEscape.IsEmpty && b < 0x80 && alsoEscape.Contains(b))) skip = 1;
            else if (b == 0xC2 && i + 1 < text.Length && text[i + 1] == 0x85) skip = 2;
            else if (b == 0xE2 && i + 2 < text.Length && text[i + 1] == 0x80 && (text[i + 2] == 0xA8 || text[i + 2] == 0xA9)) skip = 3;
            else continue;

            Copy(output, text[runStart..i]);
            WriteEscape(output, text.Slice(i, skip));
            i += skip - 1;
            runStart = i + 1;
        }
        Copy(output, text[runStart..]);
    }

    private static void WriteEscape(IBufferWriter<byte> output, ReadOnlySpan<byte> seq)
    {
        var span = output.GetSpan(6);
        int n;
        if (seq.Length == 1)
        {
            byte b = seq[0];
            switch (b)
            {
                case (byte)'\n': span[0] = (byte)'\\'; span[1] = (byte)'n'; n = 2; break;
                case (byte)'\r': span[0] = (byte)'\\'; span[1] = (byte)'r'; n = 2; break;
                case (byte)'\t': span[0] = (byte)'\\'; span[1] = (byte)'t'; n = 2; break;
                case (byte)'\\': span[0] = (byte)'\\'; span[1] = (byte)'\\'; n = 2; break;
                default:
                    if (b >= 0x20 && b != 0x7F) { span[0] = (byte)'\\'; span[1] = b; n = 2; break; }
                    n = U(span, b);
                    break;
            }
        }
        else if (seq.Length == 2) n = U(span, 0x85);
        else n = U(span, seq[2] == 0xA8 ? 0x2028 : 0x2029);
        output.Advance(n);
    }

    private static int U(Span<byte> span, int code)
    {
        span[0] = (byte)'\\';
        span[1] = (byte)'u';
        span[2] = Hex[(code >> 12) & 0xF];
        span[3] = Hex[(code >> 8) & 0xF];
        span[4] = Hex[(code >> 4) & 0xF];
        span[5] = Hex[code & 0xF];
        return 6;
    }

    /// <summary>Copies bytes as they are.</summary>
    public static void Copy(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>Writes one byte.</summary>
    public static void Byte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}
