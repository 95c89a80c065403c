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
/// The parts go into a per-thread buffer rather than into the handler itself, and the handler holds
/// only the reference to that buffer (one word): a disabled call then stores and tests a single null
/// reference, with no wider stack copy. The buffer is taken out of its thread-static field for the
/// duration of a call, so a hole that itself logs (nested call) finds it absent and uses a buffer of
/// its own (a pooled array in a small new holder); if a hole throws, the buffer is simply not given
/// back and the next call starts a new one.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct InterpolatedCapture
{
    private const int ThreadBufferParts = 32;

    [ThreadStatic] private static CaptureBuffer? t_buffer;

    private CaptureBuffer? _buffer;

    /// <summary>False when the level is disabled: nothing is captured.</summary>
    public readonly bool Enabled => _buffer is not null;

    internal readonly int Count => _buffer!.Count;

    internal readonly ReadOnlySpan<SlotArgument> Parts => _buffer!.Parts.AsSpan(0, _buffer.Count);

    /// <summary>Starts a capture; the compiler passes the literal length and the number of holes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public InterpolatedCapture(int literalLength, int formattedCount, bool enabled)
    {
        _buffer = enabled ? TakeBuffer(2 * formattedCount + 1) : null;
    }

    private static CaptureBuffer TakeBuffer(int parts)
    {
        var buffer = t_buffer;
        if (buffer is not null)
        {
            t_buffer = null;
            return buffer;
        }
        // First call on this thread, a nested call, or after a hole threw.
        return new CaptureBuffer(ArrayPool<SlotArgument>.Shared.Rent(Math.Max(parts, ThreadBufferParts)));
    }

    /// <summary>Records a literal segment (a compile-time constant, kept by reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendLiteral(string literal)
    {
        if (_buffer is null || literal.Length == 0) return;
        ref SlotArgument part = ref _buffer.Next();
        part.Name = literal;
        part.Format = SlotArgument.LiteralMarker;
    }

    /// <summary>Records a hole: the value (by type), its format and the source expression as the property name.</summary>
    /// <remarks>Not inlined: its value temporaries would otherwise widen the caller's frame, which a disabled call pays for too.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void AppendFormatted<T>(T value, string? format, string? name)
    {
        if (_buffer is null) return;
        ref SlotArgument part = ref _buffer.Next();
        part.Value = LogValue.From(value);
        part.Name = name;
        part.Format = format;
    }

    /// <summary>Clears the captured references and gives the buffer back (to the thread, else its array to the pool).</summary>
    internal void Release()
    {
        var buffer = _buffer;
        if (buffer is null) return;
        _buffer = null;
        buffer.Parts.AsSpan(0, buffer.Count).Clear();
        buffer.Count = 0;
        if (t_buffer is null) t_buffer = buffer;
        else ArrayPool<SlotArgument>.Shared.Return(buffer.Parts);
    }

    /// <summary>A thread's capture storage: the parts and how many are used.</summary>
    private sealed class CaptureBuffer(SlotArgument[] parts)
    {
        public SlotArgument[] Parts = parts;
        public int Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref SlotArgument Next()
        {
            var parts = Parts;
            if ((uint)Count >= (uint)parts.Length) parts = Grow();
            return ref parts[Count++];
        }

        private SlotArgument[] Grow()
        {
            var bigger = ArrayPool<SlotArgument>.Shared.Rent(Parts.Length * 2);
            Parts.AsSpan(0, Count).CopyTo(bigger);
            Parts.AsSpan(0, Count).Clear();
            ArrayPool<SlotArgument>.Shared.Return(Parts);
            Parts = bigger;
            return bigger;
        }
    }
}
