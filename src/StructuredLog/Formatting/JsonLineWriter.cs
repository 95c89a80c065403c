using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Writes one JSON line straight into the caller's buffer. It does no structural validation (the
/// formatter emits a fixed shape) and escapes exactly as <see cref="System.Text.Json.Utf8JsonWriter"/>
/// does with <see cref="JsonFormatter.Encoder"/>: the search for the first byte to escape and the
/// escaping itself are the encoder's, so the bytes are identical to the writer's and every line parses.
/// </summary>
[SkipLocalsInit]
internal ref struct JsonLineWriter
{
    private const int MinimumRequest = 1024;
    private static readonly JavaScriptEncoder s_encoder = JsonFormatter.Encoder;
    private readonly IBufferWriter<byte> _output;
    private readonly FormatArena? _arena; // the pipeline's own output: called directly, not through the interface
    private Span<byte> _span;
    private int _pos;
    private int _generation; // changes whenever _span is replaced

    public JsonLineWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _arena = output as FormatArena;
        _span = _arena is not null ? _arena.GetSpan(MinimumRequest) : output.GetSpan(MinimumRequest);
        _pos = 0;
    }

    /// <summary>At least <paramref name="count"/> writable bytes at the current position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int count)
    {
        if (_span.Length - _pos < count) Grow(count);
        return _span[_pos..];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _pos += count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        _output.Advance(_pos);
        _pos = 0;
        _span = _output.GetSpan(Math.Max(count, MinimumRequest));
        _generation++;
    }

    /// <summary>Where the writer is now, for <see cref="TryGetWrittenSince"/>.</summary>
    public readonly (int Generation, int Position) Mark() => (_generation, _pos);

    /// <summary>The bytes written since <paramref name="mark"/>, if they are still in the current span.</summary>
    public readonly bool TryGetWrittenSince((int Generation, int Position) mark, out ReadOnlySpan<byte> written)
    {
        if (mark.Generation != _generation)
        {
            written = default;
            return false;
        }
        written = _span[mark.Position.._pos];
        return true;
    }

    /// <summary>Hands the written bytes to the output; the writer must not be used afterwards.</summary>
    public void Complete()
    {
        if (_arena is not null) _arena.Advance(_pos);
        else _output.Advance(_pos);
        _pos = 0;
        _span = default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Byte(byte b)
    {
        if (_pos >= _span.Length) Grow(1);
        _span[_pos++] = b;
    }

    /// <summary>Copies bytes that are already valid JSON at this position (names, numbers, escaped text).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        int n = bytes.Length;
        if (_span.Length - _pos < n) Grow(n);
        ref byte dst = ref Unsafe.Add(ref MemoryMarshal.GetReference(_span), _pos);
        ref byte src = ref MemoryMarshal.GetReference(bytes);
        // Most pieces of a line are short (names, numbers, quotes): copy them with two overlapping
        // unaligned moves inside [0, n) instead of a call to memmove (measured ~7 % of a line).
        if (n <= 16)
        {
            if (n >= 8)
            {
                Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<ulong>(ref src));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, n - 8), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, n - 8)));
            }
            else if (n >= 4)
            {
                Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<uint>(ref src));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, n - 4), Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, n - 4)));
            }
            else
            {
                for (int i = 0; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
            }
        }
        else if (n <= 32)
        {
            // Field names with their values (",\"@c\":\"Category\"", the level and the message's opening): two
            // overlapping 16-byte moves, still no call.
            Unsafe.WriteUnaligned(ref dst, Unsafe.ReadUnaligned<Vector128<byte>>(ref src));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, n - 16), Unsafe.ReadUnaligned<Vector128<byte>>(ref Unsafe.Add(ref src, n - 16)));
        }
        else
        {
            bytes.CopyTo(_span[_pos..]);
        }
        _pos += n;
    }

    /// <summary>Writes valid UTF-8 text as the inside of a JSON string, escaped.</summary>
    public void Escaped(scoped ReadOnlySpan<byte> utf8)
    {
        int first = utf8.IsEmpty ? -1 : s_encoder.FindFirstCharacterToEncodeUtf8(utf8);
        if (first < 0)
        {
            Raw(utf8);
            return;
        }
        Raw(utf8[..first]);
        utf8 = utf8[first..];
        while (!utf8.IsEmpty)
        {
            // One input byte becomes at most six output bytes (\u00XX; a 4-byte scalar becomes 12).
            var dest = Reserve(Math.Min(utf8.Length, 4096) * 6);
            s_encoder.EncodeUtf8(utf8, dest, out int consumed, out int written, isFinalBlock: true);
            _pos += written;
            utf8 = utf8[consumed..];
        }
    }

    /// <summary>
    /// Writes UTF-16 text as the inside of a JSON string: invalid UTF-16 becomes U+FFFD and text longer
    /// than <paramref name="maxChars"/> is cut with the same marker as <c>LogValue.WriteString</c>.
    /// </summary>
    public void Escaped(scoped ReadOnlySpan<char> text, int maxChars = int.MaxValue)
    {
        // Short printable ASCII without quotes or backslashes (names, ids, most values) is its own UTF-8 and
        // its own JSON: copied char by char, without the transcoder and the encoder's search.
        if (text.Length <= 64 && text.Length <= maxChars)
        {
            var dst = Reserve(text.Length);
            if (text.Length >= Vector128<ushort>.Count && Vector128.IsHardwareAccelerated ? TryCopyPrintable(text, dst) : TryCopyPrintableScalar(text, dst))
            {
                _pos += text.Length;
                return;
            }
        }
        text = LogValue.CutAt(text, maxChars, out int cut);
        Span<byte> utf8 = stackalloc byte[768];
        while (!text.IsEmpty)
        {
            // Chunks of at most 256 chars; a surrogate pair split by a chunk end is carried to the next one.
            bool final = text.Length <= 256;
            var chunk = final ? text : text[..256];
            Utf8.FromUtf16(chunk, utf8, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: final);
            Escaped(utf8[..written]);
            text = text[read..];
        }
        if (cut > 0)
        {
            Raw("...[truncated "u8);
            var span = Reserve(16);
            cut.TryFormat(span, out int w, default, CultureInfo.InvariantCulture);
            _pos += w;
            Raw(" chars]"u8);
        }
    }

    /// <summary>Copies <paramref name="text"/> narrowed to <paramref name="dst"/> if every char is printable ASCII other than a quote or a backslash.</summary>
    private static bool TryCopyPrintableScalar(scoped ReadOnlySpan<char> text, Span<byte> dst)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c - 0x20u > 0x7Eu - 0x20u || c == '"' || c == '\\') return false;
            dst[i] = (byte)c;
        }
        return true;
    }

    /// <summary>
    /// <see cref="TryCopyPrintableScalar"/> eight chars at a time (at least eight; the last block overlaps the one before):
    /// a char-by-char loop was most of the time spent writing string values such as request ids.
    /// </summary>
    private static bool TryCopyPrintable(scoped ReadOnlySpan<char> text, Span<byte> dst)
    {
        int n = text.Length;
        if (dst.Length < n) return false;
        ref ushort src = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        ref byte d = ref MemoryMarshal.GetReference(dst);
        var space = Vector128.Create((ushort)0x20);
        var printable = Vector128.Create((ushort)(0x7E - 0x20));
        var quote = Vector128.Create((ushort)'"');
        var backslash = Vector128.Create((ushort)'\\');
        for (int i = 0; ; i += Vector128<ushort>.Count)
        {
            if (i > n - Vector128<ushort>.Count) i = n - Vector128<ushort>.Count;
            var v = Vector128.LoadUnsafe(ref src, (nuint)i);
            // Unsigned: a control char wraps below the space to a large value.
            var bad = Vector128.GreaterThan(v - space, printable) | Vector128.Equals(v, quote) | Vector128.Equals(v, backslash);
            if (bad != Vector128<ushort>.Zero) return false;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, i), Vector128.Narrow(v, v).AsUInt64().ToScalar());
            if (i == n - Vector128<ushort>.Count) return true;
        }
    }

    /// <summary>A JSON string value: quotes around escaped UTF-16 text.</summary>
    public void String(scoped ReadOnlySpan<char> text, int maxChars = int.MaxValue)
    {
        Byte((byte)'"');
        Escaped(text, maxChars);
        Byte((byte)'"');
    }

    /// <summary>A JSON string value from valid UTF-8.</summary>
    public void String(scoped ReadOnlySpan<byte> utf8)
    {
        Byte((byte)'"');
        Escaped(utf8);
        Byte((byte)'"');
    }

    /// <summary>Writes a number (or any ISpanFormattable whose invariant text is valid JSON as is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Number<T>(T value) where T : IUtf8SpanFormattable
    {
        var span = Reserve(64);
        value.TryFormat(span, out int w, default, CultureInfo.InvariantCulture);
        _pos += w;
    }
}
