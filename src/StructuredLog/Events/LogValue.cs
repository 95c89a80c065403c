using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace StructuredLog.Events;

/// <summary>
/// A typed argument captured on the calling thread without boxing: unmanaged values are copied by
/// value into 16 bytes, strings and other objects are kept by reference and formatted later, on the
/// writer thread.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct LogValue
{
    internal readonly object? Ref;   // string, object, or the enum's Type
    internal readonly ulong Lo;
    internal readonly ulong Hi;

    private readonly LogValueKind _kind;

    /// <summary>The type tag.</summary>
    public LogValueKind Kind => _kind;

    internal LogValue(LogValueKind kind, ulong lo, ulong hi = 0, object? reference = null)
    {
        _kind = kind;
        Lo = lo;
        Hi = hi;
        Ref = reference;
    }

    /// <summary>Overwrites <paramref name="target"/> in place, storing the reference only when it differs (see <see cref="LogProperty.Overwrite(ref LogProperty, string, in LogValue, string?, bool)"/>).</summary>
    internal static void Overwrite(ref LogValue target, in LogValue value) =>
        Overwrite(ref target, value._kind, value.Lo, value.Hi, value.Ref);

    /// <summary>Overwrites <paramref name="target"/> in place from a value's parts (see <see cref="Overwrite(ref LogValue, in LogValue)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Overwrite(ref LogValue target, LogValueKind kind, ulong lo, ulong hi, object? reference)
    {
        if (!ReferenceEquals(target.Ref, reference)) Unsafe.AsRef(in target.Ref) = reference;
        Unsafe.AsRef(in target.Lo) = lo;
        Unsafe.AsRef(in target.Hi) = hi;
        Unsafe.AsRef(in target._kind) = kind;
    }

    /// <summary>The null value.</summary>
    public static LogValue Null => default;

    /// <summary>True when the value is <see cref="LogValueKind.Null"/>.</summary>
    public bool IsNull => Kind == LogValueKind.Null;

    /// <summary>
    /// Captures <paramref name="value"/>. For the primitive types, <see cref="DateTime"/>,
    /// <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/>, <see cref="Guid"/>, <see cref="decimal"/>,
    /// enums and their nullable forms this never allocates; reference types are kept by reference;
    /// other value types are boxed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static LogValue From<T>(T value)
    {
        // Reference types first: in code shared between reference types (T = __Canon) every typeof(T)
        // test below would be a run-time type lookup; this is one method-table compare.
        if (!typeof(T).IsValueType) return FromReference(Unsafe.As<T, object?>(ref value));
        if (typeof(T) == typeof(int)) return new(LogValueKind.Int32, (ulong)(uint)Unsafe.As<T, int>(ref value));
        if (typeof(T) == typeof(string)) return value is null ? default : new(LogValueKind.String, 0, 0, Unsafe.As<T, string>(ref value));
        if (typeof(T) == typeof(long)) return new(LogValueKind.Int64, (ulong)Unsafe.As<T, long>(ref value));
        if (typeof(T) == typeof(double)) return new(LogValueKind.Double, BitConverter.DoubleToUInt64Bits(Unsafe.As<T, double>(ref value)));
        if (typeof(T) == typeof(bool)) return new(LogValueKind.Boolean, Unsafe.As<T, bool>(ref value) ? 1UL : 0UL);
        if (typeof(T) == typeof(Guid)) return FromGuid(Unsafe.As<T, Guid>(ref value));
        if (typeof(T) == typeof(DateTime)) return new(LogValueKind.DateTime, (ulong)Unsafe.As<T, DateTime>(ref value).ToBinary());
        if (typeof(T) == typeof(DateTimeOffset)) return FromDateTimeOffset(Unsafe.As<T, DateTimeOffset>(ref value));
        if (typeof(T) == typeof(TimeSpan)) return new(LogValueKind.TimeSpan, (ulong)Unsafe.As<T, TimeSpan>(ref value).Ticks);
        if (typeof(T) == typeof(float)) return new(LogValueKind.Single, BitConverter.SingleToUInt32Bits(Unsafe.As<T, float>(ref value)));
        if (typeof(T) == typeof(decimal)) return FromDecimal(Unsafe.As<T, decimal>(ref value));
        if (typeof(T) == typeof(uint)) return new(LogValueKind.UInt32, Unsafe.As<T, uint>(ref value));
        if (typeof(T) == typeof(ulong)) return new(LogValueKind.UInt64, Unsafe.As<T, ulong>(ref value));
        if (typeof(T) == typeof(short)) return new(LogValueKind.Int16, (ulong)(ushort)Unsafe.As<T, short>(ref value));
        if (typeof(T) == typeof(ushort)) return new(LogValueKind.UInt16, Unsafe.As<T, ushort>(ref value));
        if (typeof(T) == typeof(byte)) return new(LogValueKind.Byte, Unsafe.As<T, byte>(ref value));
        if (typeof(T) == typeof(sbyte)) return new(LogValueKind.SByte, (ulong)(byte)Unsafe.As<T, sbyte>(ref value));
        if (typeof(T) == typeof(char)) return new(LogValueKind.Char, Unsafe.As<T, char>(ref value));
        if (typeof(T) == typeof(int?)) { var n = Unsafe.As<T, int?>(ref value); return n.HasValue ? new(LogValueKind.Int32, (ulong)(uint)n.GetValueOrDefault()) : default; }
        if (typeof(T) == typeof(long?)) { var n = Unsafe.As<T, long?>(ref value); return n.HasValue ? new(LogValueKind.Int64, (ulong)n.GetValueOrDefault()) : default; }
        if (typeof(T) == typeof(double?)) { var n = Unsafe.As<T, double?>(ref value); return n.HasValue ? new(LogValueKind.Double, BitConverter.DoubleToUInt64Bits(n.GetValueOrDefault())) : default; }
        if (typeof(T) == typeof(bool?)) { var n = Unsafe.As<T, bool?>(ref value); return n.HasValue ? new(LogValueKind.Boolean, n.GetValueOrDefault() ? 1UL : 0UL) : default; }
        if (typeof(T) == typeof(Guid?)) { var n = Unsafe.As<T, Guid?>(ref value); return n.HasValue ? FromGuid(n.GetValueOrDefault()) : default; }
        if (typeof(T) == typeof(DateTime?)) { var n = Unsafe.As<T, DateTime?>(ref value); return n.HasValue ? new(LogValueKind.DateTime, (ulong)n.GetValueOrDefault().ToBinary()) : default; }
        if (typeof(T) == typeof(decimal?)) { var n = Unsafe.As<T, decimal?>(ref value); return n.HasValue ? FromDecimal(n.GetValueOrDefault()) : default; }
        if (typeof(T).IsEnum) return FromEnum(value);
        if (value is null) return default;
        if (value is string s) return new(LogValueKind.String, 0, 0, s);
        return new(LogValueKind.Object, 0, 0, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LogValue FromReference(object? value) =>
        value is null ? default : new(value.GetType() == typeof(string) ? LogValueKind.String : LogValueKind.Object, 0, 0, value);

    /// <summary>Captures an object whose static type is unknown (boxed values are unboxed to their tag).</summary>
    public static LogValue FromObject(object? value)
    {
        if (value is null) return default;
        if (value.GetType() == typeof(string)) return new(LogValueKind.String, 0, 0, value);
        return value is ValueType ? FromBoxed(value) : new(LogValueKind.Object, 0, 0, value);
    }

    /// <summary>
    /// A boxed value: its tag and payload are worked out into plain locals and the value built once. (A switch whose
    /// every arm built a <see cref="LogValue"/> gave the JIT a struct temporary per arm, each holding a reference, and
    /// it zeroed all of them, 576 bytes of stack, on every call.)
    /// </summary>
    private static LogValue FromBoxed(object value)
    {
        LogValueKind kind;
        ulong lo = 0, hi = 0;
        object? reference = null;
        switch (value)
        {
            case int i: kind = LogValueKind.Int32; lo = (uint)i; break;
            case long l: kind = LogValueKind.Int64; lo = (ulong)l; break;
            case double d: kind = LogValueKind.Double; lo = BitConverter.DoubleToUInt64Bits(d); break;
            case bool b: kind = LogValueKind.Boolean; lo = b ? 1UL : 0UL; break;
            case Guid g: kind = LogValueKind.Guid; GuidHalves(g, out lo, out hi); break;
            case DateTime dt: kind = LogValueKind.DateTime; lo = (ulong)dt.ToBinary(); break;
            case DateTimeOffset dto: kind = LogValueKind.DateTimeOffset; lo = (ulong)dto.UtcTicks; hi = (ulong)(long)dto.Offset.TotalMinutes; break;
            case TimeSpan ts: kind = LogValueKind.TimeSpan; lo = (ulong)ts.Ticks; break;
            case decimal m: kind = LogValueKind.Decimal; DecimalHalves(m, out lo, out hi); break;
            case float f: kind = LogValueKind.Single; lo = BitConverter.SingleToUInt32Bits(f); break;
            case uint u: kind = LogValueKind.UInt32; lo = u; break;
            case ulong ul: kind = LogValueKind.UInt64; lo = ul; break;
            case short sh: kind = LogValueKind.Int16; lo = (ushort)sh; break;
            case ushort us: kind = LogValueKind.UInt16; lo = us; break;
            case byte by: kind = LogValueKind.Byte; lo = by; break;
            case sbyte sb: kind = LogValueKind.SByte; lo = (byte)sb; break;
            case char c: kind = LogValueKind.Char; lo = c; break;
            case Enum e: kind = LogValueKind.Enum; lo = EnumRaw(e); reference = e.GetType(); break;
            default: kind = LogValueKind.Object; reference = value; break;
        }
        return new(kind, lo, hi, reference);
    }

    /// <summary>A boxed enum's raw bits, zero-extended from its underlying type's width as <see cref="FromEnum{T}"/> does.</summary>
    private static ulong EnumRaw(Enum e) => Type.GetTypeCode(Enum.GetUnderlyingType(e.GetType())) switch
    {
        TypeCode.UInt64 => Convert.ToUInt64(e, CultureInfo.InvariantCulture),
        TypeCode.Int64 => (ulong)Convert.ToInt64(e, CultureInfo.InvariantCulture),
        TypeCode.SByte or TypeCode.Byte => (byte)Convert.ToInt64(e, CultureInfo.InvariantCulture),
        TypeCode.Int16 or TypeCode.UInt16 => (ushort)Convert.ToInt64(e, CultureInfo.InvariantCulture),
        _ => (uint)Convert.ToInt64(e, CultureInfo.InvariantCulture),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static LogValue FromEnum<T>(T value)
    {
        ulong raw = Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.As<T, byte>(ref value),
            2 => Unsafe.As<T, ushort>(ref value),
            4 => Unsafe.As<T, uint>(ref value),
            _ => Unsafe.As<T, ulong>(ref value),
        };
        return new(LogValueKind.Enum, raw, 0, typeof(T));
    }

    private static LogValue FromGuid(Guid g)
    {
        GuidHalves(g, out ulong lo, out ulong hi);
        return new(LogValueKind.Guid, lo, hi);
    }

    private static void GuidHalves(Guid g, out ulong lo, out ulong hi)
    {
        Span<byte> b = stackalloc byte[16];
        g.TryWriteBytes(b);
        lo = BinaryPrimitives.ReadUInt64LittleEndian(b);
        hi = BinaryPrimitives.ReadUInt64LittleEndian(b[8..]);
    }

    private static LogValue FromDateTimeOffset(DateTimeOffset d) =>
        new(LogValueKind.DateTimeOffset, (ulong)d.UtcTicks, (ulong)(long)d.Offset.TotalMinutes);

    private static LogValue FromDecimal(decimal m)
    {
        DecimalHalves(m, out ulong lo, out ulong hi);
        return new(LogValueKind.Decimal, lo, hi);
    }

    private static void DecimalHalves(decimal m, out ulong lo, out ulong hi)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(m, bits);
        lo = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        hi = (uint)bits[2] | ((ulong)(uint)bits[3] << 32);
    }

    /// <summary>The string when <see cref="Kind"/> is <see cref="LogValueKind.String"/>, else null.</summary>
    public string? AsString => Kind == LogValueKind.String ? (string)Ref! : null;

    /// <summary>The referenced object when <see cref="Kind"/> is <see cref="LogValueKind.Object"/>, else null.</summary>
    public object? AsObject => Kind == LogValueKind.Object ? Ref : null;

    /// <summary>True for the numeric kinds (integers, floating point, decimal).</summary>
    public bool IsNumeric => Kind is >= LogValueKind.Byte and <= LogValueKind.Decimal;

    internal Guid GuidValue
    {
        get
        {
            Span<byte> b = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(b, Lo);
            BinaryPrimitives.WriteUInt64LittleEndian(b[8..], Hi);
            return new Guid(b);
        }
    }

    internal decimal DecimalValue => new([(int)(uint)Lo, (int)(uint)(Lo >> 32), (int)(uint)Hi, (int)(uint)(Hi >> 32)]);
    internal DateTime DateTimeValue => DateTime.FromBinary((long)Lo);
    internal DateTimeOffset DateTimeOffsetValue
    {
        get
        {
            var offset = TimeSpan.FromMinutes((long)Hi);
            return new DateTimeOffset(new DateTime((long)Lo + offset.Ticks, DateTimeKind.Unspecified), offset);
        }
    }

    internal double DoubleValue => Kind == LogValueKind.Single ? BitConverter.UInt32BitsToSingle((uint)Lo) : BitConverter.UInt64BitsToDouble(Lo);

    /// <summary>The value of a signed integer kind (<see cref="sbyte"/> to <see cref="long"/>), without boxing.</summary>
    public bool TryGetInt64(out long value)
    {
        value = Kind switch
        {
            LogValueKind.SByte => (sbyte)(byte)Lo,
            LogValueKind.Int16 => (short)(ushort)Lo,
            LogValueKind.Int32 => (int)(uint)Lo,
            LogValueKind.Int64 => (long)Lo,
            _ => 0,
        };
        return Kind is LogValueKind.SByte or LogValueKind.Int16 or LogValueKind.Int32 or LogValueKind.Int64;
    }

    /// <summary>The value of an unsigned integer kind (<see cref="byte"/> to <see cref="ulong"/>), without boxing.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        bool ok = Kind is LogValueKind.Byte or LogValueKind.UInt16 or LogValueKind.UInt32 or LogValueKind.UInt64;
        value = ok ? Lo : 0;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.Single"/> or <see cref="LogValueKind.Double"/>, without boxing.</summary>
    public bool TryGetDouble(out double value)
    {
        bool ok = Kind is LogValueKind.Single or LogValueKind.Double;
        value = ok ? DoubleValue : 0;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.Decimal"/>, without boxing.</summary>
    public bool TryGetDecimal(out decimal value)
    {
        bool ok = Kind == LogValueKind.Decimal;
        value = ok ? DecimalValue : 0;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.Boolean"/>, without boxing.</summary>
    public bool TryGetBoolean(out bool value)
    {
        value = Kind == LogValueKind.Boolean && Lo != 0;
        return Kind == LogValueKind.Boolean;
    }

    /// <summary>The value of <see cref="LogValueKind.DateTime"/>, without boxing.</summary>
    public bool TryGetDateTime(out DateTime value)
    {
        bool ok = Kind == LogValueKind.DateTime;
        value = ok ? DateTimeValue : default;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.DateTimeOffset"/>, without boxing.</summary>
    public bool TryGetDateTimeOffset(out DateTimeOffset value)
    {
        bool ok = Kind == LogValueKind.DateTimeOffset;
        value = ok ? DateTimeOffsetValue : default;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.TimeSpan"/>, without boxing.</summary>
    public bool TryGetTimeSpan(out TimeSpan value)
    {
        bool ok = Kind == LogValueKind.TimeSpan;
        value = ok ? new TimeSpan((long)Lo) : default;
        return ok;
    }

    /// <summary>The value of <see cref="LogValueKind.Guid"/>, without boxing.</summary>
    public bool TryGetGuid(out Guid value)
    {
        bool ok = Kind == LogValueKind.Guid;
        value = ok ? GuidValue : default;
        return ok;
    }

    /// <summary>
    /// Converts the value back to an object (boxing value types). Meant for integrations and tests,
    /// not for the hot path.
    /// </summary>
    public object? ToObject() => Kind switch
    {
        LogValueKind.Null => null,
        LogValueKind.Boolean => Lo != 0,
        LogValueKind.Char => (char)Lo,
        LogValueKind.Byte => (byte)Lo,
        LogValueKind.SByte => (sbyte)(byte)Lo,
        LogValueKind.Int16 => (short)(ushort)Lo,
        LogValueKind.UInt16 => (ushort)Lo,
        LogValueKind.Int32 => (int)(uint)Lo,
        LogValueKind.UInt32 => (uint)Lo,
        LogValueKind.Int64 => (long)Lo,
        LogValueKind.UInt64 => Lo,
        LogValueKind.Single => BitConverter.UInt32BitsToSingle((uint)Lo),
        LogValueKind.Double => BitConverter.UInt64BitsToDouble(Lo),
        LogValueKind.Decimal => DecimalValue,
        LogValueKind.DateTime => DateTimeValue,
        LogValueKind.DateTimeOffset => DateTimeOffsetValue,
        LogValueKind.TimeSpan => new TimeSpan((long)Lo),
        LogValueKind.Guid => GuidValue,
        LogValueKind.Enum => Enum.ToObject((Type)Ref!, Lo),
        _ => Ref,
    };

    /// <summary>
    /// Writes the value as UTF-8 text with an optional .NET format string, culture-invariant. Never
    /// throws: a throwing <c>ToString</c> writes a marker naming the exception type instead, invalid
    /// UTF-16 becomes U+FFFD, strings longer than <paramref name="maxChars"/> are cut with a marker.
    /// </summary>
    public void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> format = default, int maxChars = int.MaxValue)
    {
        switch (Kind)
        {
            case LogValueKind.Null: Ascii(output, "null"); return;
            case LogValueKind.String: WriteString(output, (string)Ref!, maxChars); return;
            case LogValueKind.Boolean: Ascii(output, Lo != 0 ? "true" : "false"); return;
            case LogValueKind.Char:
                {
                    char c = (char)Lo;
                    WriteString(output, new ReadOnlySpan<char>(in c), maxChars);
                    return;
                }
            case LogValueKind.Enum: WriteString(output, EnumNames.Get((Type)Ref!, Lo), maxChars); return;
            case LogValueKind.Object: WriteObject(output, Ref!, format, maxChars); return;
        }
        Span<byte> span = output.GetSpan(64);
        int written;
        while (!TryFormatScalar(span, out written, format))
        {
            if (span.Length >= 4096) { Ascii(output, "<format error>"); return; }
            span = output.GetSpan(span.Length * 2);
        }
        output.Advance(written);
    }

    private bool TryFormatScalar(Span<byte> d, out int w, ReadOnlySpan<char> f)
    {
        var inv = CultureInfo.InvariantCulture;
        try
        {
            return Kind switch
            {
                LogValueKind.Byte => ((byte)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.SByte => ((sbyte)(byte)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Int16 => ((short)(ushort)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.UInt16 => ((ushort)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Int32 => ((int)(uint)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.UInt32 => ((uint)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Int64 => ((long)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.UInt64 => Lo.TryFormat(d, out w, f, inv),
                LogValueKind.Single => BitConverter.UInt32BitsToSingle((uint)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Double => f.IsEmpty ? Formatting.ShortDouble.TryFormatAny(BitConverter.UInt64BitsToDouble(Lo), d, out w) : BitConverter.UInt64BitsToDouble(Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Decimal => DecimalValue.TryFormat(d, out w, f, inv),
                LogValueKind.DateTime => DateTimeValue.TryFormat(d, out w, f.IsEmpty ? "O" : f, inv),
                LogValueKind.DateTimeOffset => DateTimeOffsetValue.TryFormat(d, out w, f.IsEmpty ? "O" : f, inv),
                LogValueKind.TimeSpan => new TimeSpan((long)Lo).TryFormat(d, out w, f, inv),
                LogValueKind.Guid => GuidValue.TryFormat(d, out w, f),
                _ => (w = 0) == 0,
            };
        }
        catch (FormatException)
        {
            // A bad format string from a template must not lose the value: fall back to the default format.
            return f.IsEmpty ? (w = 0) != 0 : TryFormatScalar(d, out w, default);
        }
    }

    private static void WriteObject(IBufferWriter<byte> output, object value, ReadOnlySpan<char> format, int maxChars)
    {
        string? text;
        try
        {
            text = value is IFormattable formattable
                ? formattable.ToString(format.IsEmpty ? null : format.ToString(), CultureInfo.InvariantCulture)
                : value.ToString();
        }
        catch (Exception ex)
        {
            Ascii(output, "<ToString threw ");
            Ascii(output, ex.GetType().Name);
            Ascii(output, ">");
            return;
        }
        WriteString(output, text ?? "", maxChars);
    }

    /// <summary>Writes ASCII text (known to be ASCII) to <paramref name="output"/>.</summary>
    internal static void Ascii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        output.Advance(ascii.Length);
    }

    /// <summary>
    /// Transcodes UTF-16 to UTF-8, replacing invalid sequences (lone surrogates) with U+FFFD and cutting
    /// text longer than <paramref name="maxChars"/> with a visible marker.
    /// </summary>
    internal static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<char> text, int maxChars = int.MaxValue)
    {
        text = CutAt(text, maxChars, out int cut);
        while (!text.IsEmpty)
        {
            var span = output.GetSpan(Math.Min(text.Length, 4096) * 3);
            Utf8.FromUtf16(text, span, out int read, out int written, replaceInvalidSequences: true, isFinalBlock: true);
            output.Advance(written);
            text = text[read..];
        }
        if (cut > 0)
        {
            Ascii(output, "...[truncated ");
            Span<byte> n = output.GetSpan(20);
            cut.TryFormat(n, out int w, default, CultureInfo.InvariantCulture);
            output.Advance(w);
            Ascii(output, " chars]");
        }
    }

    /// <summary>
    /// The first <paramref name="maxChars"/> chars of <paramref name="text"/> (one fewer rather than half a
    /// surrogate pair); <paramref name="cut"/> is how many were left out (0 when it fits), for the
    /// <c>...[truncated N chars]</c> marker that follows cut text.
    /// </summary>
    internal static ReadOnlySpan<char> CutAt(ReadOnlySpan<char> text, int maxChars, out int cut)
    {
        cut = 0;
        if (text.Length <= maxChars) return text;
        cut = text.Length - maxChars;
        int end = maxChars;
        if (end > 0 && char.IsHighSurrogate(text[end - 1])) end--;
        return text[..end];
    }

    /// <summary>Formats the value as a string (allocates; for diagnostics and tests).</summary>
    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteUtf8(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
