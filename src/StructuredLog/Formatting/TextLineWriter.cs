using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// Writes one human-readable line straight into the caller's buffer, with the escaping of
/// <see cref="LineEscaping.Write(IBufferWriter{byte}, ReadOnlySpan{byte}, byte, bool)"/> (no quote, no
/// backslash): text that holds nothing to escape (the usual case, found with one vectorised search) is
/// copied as it is, and anything else goes through <see cref="LineEscaping"/> itself, so the bytes are the
/// ones that escaping the whole rendered text at once would give. Numbers are formatted in place.
/// </summary>
[SkipLocalsInit]
internal ref struct TextLineWriter
{
    private const int MinimumRequest = 512;
    private const int MaxDirectChars = 256; // longer strings take the general path (cutting, transcoding)
    private readonly IBufferWriter<byte> _output;
    private readonly FormatArena? _arena; // the pipeline's own output: called directly, not through the interface
    private Span<byte> _span;
    private int _pos;

    public TextLineWriter(IBufferWriter<byte> output)
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
    }

    /// <summary>
    /// Hands what is written so far to the output and returns it, for a caller that writes to it directly
    /// (the rare paths); <see cref="Attach"/> afterwards.
    /// </summary>
    public IBufferWriter<byte> Detach()
    {
        _output.Advance(_pos);
        _pos = 0;
        _span = default;
        return _output;
    }

    /// <summary>Continues after <see cref="Detach"/>.</summary>
    public void Attach() => _span = _output.GetSpan(MinimumRequest);

    /// <summary>Hands what is written to the output; the writer must not be used afterwards.</summary>
    public void Complete() => Detach();

    /// <summary>Copies bytes as they are.</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _pos += bytes.Length;
    }

    /// <summary>Writes one byte.</summary>
    public void Byte(byte b)
    {
        Reserve(1)[0] = b;
        _pos++;
    }

    /// <summary>Copies UTF-8 text with line breaks and controls escaped.</summary>
    public void Escaped(ReadOnlySpan<byte> text)
    {
        if (!LineEscaping.NeedsEscaping(text))
        {
            Raw(text);
            return;
        }
        // Rare: the escaping writes through the output itself.
        LineEscaping.Write(Detach(), text);
        Attach();
    }

    /// <summary>
    /// A string as <see cref="LogValue.WriteString"/> transcodes it (cut after <paramref name="maxChars"/>),
    /// escaped. Short printable ASCII (the usual case) is narrowed straight into the line.
    /// </summary>
    public void String(string text, int maxChars, ArrayBufferWriter<byte> scratch)
    {
        if (text.Length <= maxChars && text.Length <= MaxDirectChars && TryNarrowPrintable(text))
        {
            _pos += text.Length;
            return;
        }
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, text, maxChars);
        Escaped(scratch.WrittenSpan);
    }

    /// <summary>
    /// Copies <paramref name="text"/> at the current position, one byte per char, if every char is printable
    /// ASCII (space to <c>~</c>); false otherwise (the position does not move). One pass, no allocation at any
    /// tier (<c>MemoryExtensions.ContainsAnyExceptInRange</c> allocated 96 bytes a call until tiered compilation
    /// had optimised it).
    /// </summary>
    private bool TryNarrowPrintable(string text)
    {
        var dest = Reserve(text.Length)[..text.Length];
        for (int i = 0; i < dest.Length; i++)
        {
            char c = text[i];
            if ((uint)(c - ' ') > '~' - ' ') return false;
            dest[i] = (byte)c;
        }
        return true;
    }

    /// <summary>
    /// A value as <see cref="LogValue.WriteUtf8"/> writes it, escaped. Strings and numbers without a
    /// format are written in place (an invariant number has nothing to escape); the rest through
    /// <paramref name="scratch"/>.
    /// </summary>
    public void Value(in LogValue value, string? format, int maxChars, ArrayBufferWriter<byte> scratch)
    {
        if (format is null)
        {
            if (value.Kind == LogValueKind.String)
            {
                String(value.AsString!, maxChars, scratch);
                return;
            }
            if (TryNumber(value)) return;
        }
        scratch.ResetWrittenCount();
        value.WriteUtf8(scratch, format, maxChars);
        Escaped(scratch.WrittenSpan);
    }

    /// <summary>
    /// An int, long or double as <see cref="LogValue.WriteUtf8"/> writes it without a format, in place (an
    /// invariant number holds nothing any text format escapes or quotes); false for any other value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNumber(in LogValue value)
    {
        switch (value.Kind)
        {
            case LogValueKind.Int32 or LogValueKind.Int64:
                if (value.TryGetInt64(out long whole) && whole.TryFormat(Reserve(20), out int n, default, CultureInfo.InvariantCulture))
                {
                    _pos += n;
                    return true;
                }
                return false;
            case LogValueKind.Double:
                if (value.TryGetDouble(out double real) && ShortDouble.TryFormatAny(real, Reserve(64), out int m))
                {
                    _pos += m;
                    return true;
                }
                return false;
            default:
                return false;
        }
    }
}
