using System.Globalization;
using StructuredLog.Events;

namespace StructuredLog.Formatting;

/// <summary>
/// The UTF-8 text of an event's plain numeric arguments (int, long, double... without a format),
/// formatted once and used twice by <see cref="JsonFormatter"/>: inside the rendered message and as the
/// property's JSON number. Formatting a double costs more than the rest of its JSON; doing it once per
/// event instead of twice is measurable. One per thread; valid for the event being formatted.
/// </summary>
internal sealed class NumberMemo
{
    private const int MaxArguments = 16;
    private readonly byte[] _bytes = new byte[MaxArguments * 32];
    private readonly int[] _start = new int[MaxArguments];
    private readonly int[] _length = new int[MaxArguments];
    private int _count;

    [ThreadStatic] private static NumberMemo? t_current;

    public static NumberMemo ForThread() => t_current ??= new NumberMemo();

    /// <summary>Formats the event's leading numeric arguments (those with neither a format nor destructuring).</summary>
    public void Prepare(in LogEvent e)
    {
        var props = e.Properties;
        int n = Math.Min(e.ArgumentCount, MaxArguments);
        int pos = 0;
        for (int i = 0; i < n; i++)
        {
            _length[i] = 0;
            ref readonly var p = ref props[i];
            if (p.Format is not null || p.Destructure) continue;
            var span = _bytes.AsSpan(pos, 32);
            var v = p.Value;
            var inv = CultureInfo.InvariantCulture;
            bool ok = v.Kind switch
            {
                LogValueKind.Int32 => ((int)(uint)v.Lo).TryFormat(span, out int w, default, inv) && Keep(i, ref pos, w),
                LogValueKind.Int64 => ((long)v.Lo).TryFormat(span, out int w, default, inv) && Keep(i, ref pos, w),
                LogValueKind.UInt32 => ((uint)v.Lo).TryFormat(span, out int w, default, inv) && Keep(i, ref pos, w),
                LogValueKind.UInt64 => v.Lo.TryFormat(span, out int w, default, inv) && Keep(i, ref pos, w),
                LogValueKind.Double when double.IsFinite(v.DoubleValue) => ShortDouble.TryFormatAny(v.DoubleValue, span, out int w) && Keep(i, ref pos, w),
                LogValueKind.Single when double.IsFinite(v.DoubleValue) => ((float)v.DoubleValue).TryFormat(span, out int w, default, inv) && Keep(i, ref pos, w),
                _ => false,
            };
            _ = ok;
        }
        _count = n;
    }

    private bool Keep(int index, ref int pos, int written)
    {
        _start[index] = pos;
        _length[index] = written;
        pos += written;
        return true;
    }

    /// <summary>The formatted text of argument <paramref name="index"/>, if it was memoised.</summary>
    public bool TryGet(int index, out ReadOnlySpan<byte> utf8)
    {
        if ((uint)index < (uint)_count && _length[index] > 0)
        {
            utf8 = _bytes.AsSpan(_start[index], _length[index]);
            return true;
        }
        utf8 = default;
        return false;
    }
}
