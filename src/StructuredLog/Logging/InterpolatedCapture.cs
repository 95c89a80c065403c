using System.Buffers;
using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Pipeline;

namespace StructuredLog;

/// <summary>
/// The state shared by the per-level interpolated string handlers: literal segments and typed holes,
/// captured without boxing. Not for direct use.
/// </summary>
/// <remarks>
/// The parts go into a per-thread buffer rather than into the handler itself, so that the handler
/// (a local of the calling method) stays a few words wide: a disabled call then only zeroes a small
/// struct, and an enabled one does not copy a large struct. The buffer is taken out of its
/// thread-static field for the duration of a call, so a hole that itself logs (nested call) finds it
/// absent and rents a pooled array instead. If a hole throws, the buffer is simply not given back and
/// the next call adopts a pooled one as the thread's buffer.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct InterpolatedCapture
{
    private const int ThreadBufferParts = 32;

    [ThreadStatic] private static SlotArgument[]? t_buffer;

    private SlotArgument[]? _parts;
    private int _count;

    /// <summary>False when the level is disabled: nothing is captured.</summary>
    public readonly bool Enabled => _parts is not null;

    internal readonly int Count => _count;

    internal readonly ReadOnlySpan<SlotArgument> Parts => _parts.AsSpan(0, _count);

    /// <summary>Starts a capture; the compiler passes the literal length and the number of holes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public InterpolatedCapture(int literalLength, int formattedCount, bool enabled)
    {
        _count = 0;
        _parts = enabled ? TakeBuffer(2 * formattedCount + 1) : null;
    }

    private static SlotArgument[] TakeBuffer(int parts)
    {
        var buffer = t_buffer;
        if (buffer is not null && parts <= buffer.Length)
        {
            t_buffer = null;
            return buffer;
        }
        // First call on this thread, a nested call, or very many holes.
        return ArrayPool<SlotArgument>.Shared.Rent(Math.Max(parts, ThreadBufferParts));
    }

    /// <summary>Records a literal segment (a compile-time constant, kept by reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendLiteral(string literal)
    {
        if (_parts is null || literal.Length == 0) return;
        ref SlotArgument part = ref Next();
        part.Name = literal;
        part.Format = SlotArgument.LiteralMarker;
    }

    /// <summary>Records a hole: the value (by type), its format and the source expression as the property name.</summary>
    /// <remarks>Not inlined: its value temporaries would otherwise widen the caller's frame, which a disabled call pays for too.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void AppendFormatted<T>(T value, string? format, string? name)
    {
        if (_parts is null) return;
        ref SlotArgument part = ref Next();
        part.Value = LogValue.From(value);
        part.Name = name;
        part.Format = format;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref SlotArgument Next()
    {
        var parts = _parts!;
        if ((uint)_count >= (uint)parts.Length) parts = Grow();
        return ref parts[_count++];
    }

    private SlotArgument[] Grow()
    {
        var bigger = ArrayPool<SlotArgument>.Shared.Rent(Math.Max(ThreadBufferParts, _parts!.Length * 2));
        _parts.AsSpan(0, _count).CopyTo(bigger);
        Release();
        _parts = bigger;
        return bigger;
    }

    /// <summary>Clears the captured references and gives the buffer back (to the thread, else to the pool).</summary>
    internal void Release()
    {
        var parts = _parts;
        if (parts is null) return;
        parts.AsSpan(0, _count).Clear();
        _parts = null;
        _count = 0;
        if (parts.Length == ThreadBufferParts && t_buffer is null) t_buffer = parts;
        else ArrayPool<SlotArgument>.Shared.Return(parts);
    }
}
