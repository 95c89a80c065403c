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
/// reference, with no wider stack copy. A call marks the thread's buffer in use while it captures, so
/// the thread-static field is read once per call and never written on the common path. A call that
/// finds the buffer in use (a hole that itself logs, or an earlier call whose hole threw and never
/// released it) takes the thread's second buffer; only when both are in use does the thread start over
/// with a new pair (the old ones stay with their calls and are dropped when those end).
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct InterpolatedCapture
{
    private const int ThreadBufferParts = 32;

    [ThreadStatic] private static CaptureBuffer? t_buffer;

    private CaptureBuffer? _buffer;

    /// <summary>False when the level is disabled: nothing is captured.</summary>
    public readonly bool Enabled => _buffer is not null;

    /// <summary>The capture storage, or null when the level is disabled.</summary>
    internal readonly CaptureBuffer? Buffer => _buffer;

    /// <summary>Starts a capture; the compiler passes the literal length and the number of holes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public InterpolatedCapture(int literalLength, int formattedCount, bool enabled)
    {
        // if/else rather than ?: so that the JIT keeps the handler in registers (measured: the conditional
        // expression left it in a stack slot that a disabled call zeroed, stored and reloaded).
        if (enabled) _buffer = TakeBuffer(2 * formattedCount + 1);
        else _buffer = null;
    }

    private static CaptureBuffer TakeBuffer(int parts)
    {
        var buffer = t_buffer;
        if (buffer is null)
        {
            t_buffer = buffer = NewBuffer(parts);
        }
        else if (buffer.InUse)
        {
            // A hole that logs (a nested call) uses the thread's second buffer. When that one is in use
            // too (deeper nesting, or calls whose hole threw), the thread starts over with a new pair.
            var spare = buffer.Spare ??= NewBuffer(parts);
            if (spare.InUse) t_buffer = buffer = NewBuffer(parts);
            else buffer = spare;
        }
        buffer.InUse = true;
        return buffer;
    }

    private static CaptureBuffer NewBuffer(int parts) => new(new SlotArgument[Math.Max(parts, ThreadBufferParts)]);

    /// <summary>Records a literal segment (a compile-time constant, kept by reference). Always true (the compiler then goes on to the next part).</summary>
    /// <remarks>
    /// The compiler calls the append methods only after the handler's constructor said enabled (they
    /// return bool, as the pattern allows), and they only pass the buffer reference on: no call receives
    /// the handler by reference, so the JIT keeps the handler in a register and a disabled call costs a
    /// level check and nothing else (no stack slot to zero, store and reload).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool AppendLiteral(string literal)
    {
        _buffer?.AddLiteral(literal); // null only when called by hand on a disabled handler: nothing to record, and never a throw
        return true;
    }

    /// <summary>Records a hole: the value (by type), its format and the source expression as the property name. Always true.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool AppendFormatted<T>(T value, string? format, string? name)
    {
        _buffer?.AddFormatted(value, format, name);
        return true;
    }

    /// <summary>Clears the captured values and marks the buffer free for the thread's next call.</summary>
    internal static void Release(CaptureBuffer buffer)
    {
        // Only the values can hold on to the caller's objects: literals, names and formats are the call
        // site's constants, and the next call overwrites every part it uses.
        var parts = buffer.Parts.AsSpan(0, buffer.Count);
        for (int i = 0; i < parts.Length; i++)
        {
            if (!parts[i].IsLiteral) parts[i].Value = default;
        }
        buffer.Count = 0;
        buffer.InUse = false;
    }

    /// <summary>A thread's capture storage: the parts and how many are used.</summary>
    internal sealed class CaptureBuffer(SlotArgument[] parts)
    {
        public SlotArgument[] Parts = parts;
        public int Count;
        public bool InUse; // taken by a call that has not released it (see the type's remarks)
        public CaptureBuffer? Spare; // the thread's second buffer, for a call made while this one is in use

        public ReadOnlySpan<SlotArgument> Captured => Parts.AsSpan(0, Count);

        public void AddLiteral(string literal)
        {
            if (literal.Length == 0) return;
            ref SlotArgument part = ref Next();
            part.Name = literal;
            part.Format = SlotArgument.LiteralMarker;
        }

        /// <remarks>Not inlined: its value temporaries would otherwise widen the caller's frame, which a disabled call pays for too.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void AddFormatted<T>(T value, string? format, string? name)
        {
            ref SlotArgument part = ref Next();
            part.Value = LogValue.From(value);
            part.Name = name;
            part.Format = format;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref SlotArgument Next()
        {
            var parts = Parts;
            if ((uint)Count >= (uint)parts.Length) parts = Grow();
            return ref parts[Count++];
        }

        private SlotArgument[] Grow()
        {
            var bigger = new SlotArgument[Parts.Length * 2];
            Parts.AsSpan(0, Count).CopyTo(bigger);
            Parts = bigger;
            return bigger;
        }
    }
}
