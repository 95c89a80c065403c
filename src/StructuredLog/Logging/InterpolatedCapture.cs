using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using StructuredLog.Events;
using StructuredLog.Pipeline;

namespace StructuredLog;

/// <summary>
/// The state shared by the per-level interpolated string handlers: literal segments and typed holes,
/// captured on the caller's stack without boxing. Not for direct use.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct InterpolatedCapture
{
    private const int InlineParts = 12;

    private CaptureParts _inline;
    private SlotArgument[]? _overflow;
    private int _count;

    /// <summary>False when the level is disabled: nothing is captured.</summary>
    public bool Enabled { get; }

    internal int Count => _count;

    [UnscopedRef]
    internal Span<SlotArgument> Parts => _overflow is not null ? _overflow.AsSpan(0, _count) : ((Span<SlotArgument>)_inline)[.._count];

    /// <summary>Starts a capture; the compiler passes the literal length and the number of holes.</summary>
    public InterpolatedCapture(int literalLength, int formattedCount, bool enabled)
    {
        Enabled = enabled;
        _count = 0;
        _overflow = null;
        _inline = default;
        if (enabled && 2 * formattedCount + 1 > InlineParts)
            _overflow = ArrayPool<SlotArgument>.Shared.Rent(2 * formattedCount + 1);
    }

    /// <summary>Records a literal segment (a compile-time constant, kept by reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendLiteral(string literal)
    {
        if (!Enabled || literal.Length == 0) return;
        ref SlotArgument part = ref Next();
        part.Name = literal;
        part.Format = SlotArgument.LiteralMarker;
    }

    /// <summary>Records a hole: the value (by type), its format and the source expression as the property name.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendFormatted<T>(T value, string? format, string? name)
    {
        if (!Enabled) return;
        ref SlotArgument part = ref Next();
        part.Value = LogValue.From(value);
        part.Name = name;
        part.Format = format;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [UnscopedRef]
    private ref SlotArgument Next()
    {
        if (_overflow is null)
        {
            if (_count < InlineParts) return ref ((Span<SlotArgument>)_inline)[_count++];
            Grow();
        }
        else if (_count == _overflow.Length)
        {
            Grow();
        }
        return ref _overflow![_count++];
    }

    private void Grow()
    {
        var bigger = ArrayPool<SlotArgument>.Shared.Rent(Math.Max(InlineParts * 2, (_overflow?.Length ?? 0) * 2));
        Parts.CopyTo(bigger);
        ReturnOverflow();
        _overflow = bigger;
    }

    internal void ReturnOverflow()
    {
        if (_overflow is null) return;
        _overflow.AsSpan(0, _count).Clear();
        ArrayPool<SlotArgument>.Shared.Return(_overflow);
        _overflow = null;
    }

    [InlineArray(InlineParts)]
    private struct CaptureParts
    {
        private SlotArgument _element;
    }
}
