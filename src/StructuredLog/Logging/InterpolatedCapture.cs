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
/// released it) takes the thread's second buffer. Only when both are in use, or when the first has been
/// in use for 64 calls in a row, does the thread start over with a new pair. The old buffers stay with
/// their calls and are dropped when those end, and an abandoned one (its hole threw) is dropped with
/// whatever it captured.
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct InterpolatedCapture
{
    private const int ThreadBufferParts = 32;
    private const int MaxBlocked = 64;

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
        if (enabled) _buffer = TakeBuffer(literalLength, formattedCount);
        else _buffer = null;
    }

    private static CaptureBuffer TakeBuffer(int literalLength, int formattedCount)
    {
        int parts = 2 * formattedCount + 1;
        var buffer = t_buffer;
        if (buffer is null)
        {
            t_buffer = buffer = NewBuffer(parts);
        }
        else if (buffer.InUse)
        {
            // A hole that logs (a nested call) uses the thread's second buffer. When that one is in use
            // too (deeper nesting, or calls whose hole threw), or when the first has been in use for
            // MaxBlocked calls in a row (its call's hole most likely threw, and the values it captured
            // would stay reachable for as long as the thread lives), the thread starts over with a new pair.
            var spare = buffer.Spare ??= NewBuffer(parts);
            if (spare.InUse || ++buffer.Blocked > MaxBlocked) t_buffer = buffer = NewBuffer(parts);
            else buffer = spare;
        }
        buffer.InUse = true;
        buffer.Expect(literalLength, formattedCount);
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
        buffer.Values.AsSpan(0, buffer.Holes).Clear();
        buffer.Holes = 0;
        buffer.Expected = null;
        buffer.Blocked = 0;
        buffer.InUse = false;
    }

    /// <summary>
    /// A thread's capture storage: the parts and how many are used, or, when the call matches a shape the
    /// thread has seen before (<see cref="Expected"/>), only the hole values.
    /// </summary>
    /// <remarks>
    /// A call site passes the same literal, name and format strings on every call (they are constants), so
    /// the thread keeps each site's shape (<see cref="CaptureShape"/>), found by the compiler's
    /// (literal length, hole count). A call that matches it compares references and stores only its values,
    /// which go into the slot inline as a message-template call's do; the parts themselves are neither
    /// written, copied into the ring nor resolved part by part by the writer. A call that differs switches to
    /// the parts at the first difference (<see cref="Diverge"/>). A key's shape is replaced only after
    /// <see cref="ReplaceAfterMisses"/> misses in a row and at most <see cref="MaxShapes"/> are ever made
    /// per buffer, so call sites that share a key cannot make every call allocate.
    /// </remarks>
    internal sealed class CaptureBuffer(SlotArgument[] parts)
    {
        private const int ShapeSlots = 32;
        internal const int ReplaceAfterMisses = 16;
        internal const int MaxShapes = 256;

        public SlotArgument[] Parts = parts;
        public int Count;
        public bool InUse; // taken by a call that has not released it (see the type's remarks)
        public CaptureBuffer? Spare; // the thread's second buffer, for a call made while this one is in use
        public int Blocked; // calls that found this buffer in use since it was last released

        /// <summary>The shape this call has matched so far, or null when it captures parts.</summary>
        public CaptureShape? Expected;
        /// <summary>Parts of <see cref="Expected"/> matched so far.</summary>
        public int Matched;
        /// <summary>Hole values captured while matching a shape (as many as a slot holds inline).</summary>
        public readonly LogValue[] Values = new LogValue[EventSlot.InlineArguments];
        public int Holes;
        private CaptureShape?[]? _shapes;
        private int _key;
        private int _shapesMade;

        public ReadOnlySpan<SlotArgument> Captured => Parts.AsSpan(0, Count);

        /// <summary>Starts a call: looks up the shape last seen for this (literal length, hole count).</summary>
        public void Expect(int literalLength, int formattedCount)
        {
            _key = (literalLength * 7 + formattedCount) & (ShapeSlots - 1);
            Expected = _shapes?[_key];
            Matched = 0;
        }

        public void AddLiteral(string literal)
        {
            if (literal.Length == 0) return;
            if (Expected is { } shape)
            {
                var expected = shape.Parts;
                if ((uint)Matched < (uint)expected.Length && ReferenceEquals(expected[Matched].Name, literal) && expected[Matched].IsLiteral)
                {
                    Matched++;
                    return;
                }
                Diverge();
            }
            ref SlotArgument part = ref Next();
            part.Name = literal;
            part.Format = SlotArgument.LiteralMarker;
        }

        /// <remarks>Not inlined: its value temporaries would otherwise widen the caller's frame, which a disabled call pays for too.</remarks>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void AddFormatted<T>(T value, string? format, string? name)
        {
            if (Expected is { } shape)
            {
                var expected = shape.Parts;
                if ((uint)Matched < (uint)expected.Length && (uint)Holes < (uint)Values.Length)
                {
                    ref readonly var p = ref expected[Matched];
                    if (ReferenceEquals(p.Name, name) && ReferenceEquals(p.Format, format) && !p.IsLiteral)
                    {
                        Values[Holes++] = LogValue.From(value);
                        Matched++;
                        return;
                    }
                }
                Diverge();
            }
            ref SlotArgument part = ref Next();
            part.Value = LogValue.From(value);
            part.Name = name;
            part.Format = format;
        }

        /// <summary>True when the whole call matched its shape: its values are in <see cref="Values"/>.</summary>
        public bool MatchedShape => Expected is { } shape && Matched == shape.Parts.Length;

        /// <summary>Leaves the shape: the parts matched so far are written out as parts, with their values.</summary>
        public void Diverge()
        {
            var shape = Expected!;
            Expected = null;
            shape.Misses++;
            int hole = 0;
            for (int i = 0; i < Matched; i++)
            {
                ref readonly var p = ref shape.Parts[i];
                ref SlotArgument part = ref Next();
                part.Name = p.Name;
                part.Format = p.Format;
                part.Value = p.IsLiteral ? default : Values[hole++];
            }
            Values.AsSpan(0, Holes).Clear();
            Holes = 0;
        }

        /// <summary>
        /// After a call captured as parts: keeps its shape for the next call with the same key, if allowed,
        /// and then moves this call's values into <see cref="Values"/> as if it had matched the shape, so
        /// that it too is written with its values inline. Returns the new shape, or null (the call stays parts).
        /// </summary>
        public CaptureShape? Learn()
        {
            var shapes = _shapes ??= new CaptureShape?[ShapeSlots];
            var current = shapes[_key];
            if (current is not null && current.Misses < ReplaceAfterMisses) return null;
            if (_shapesMade >= MaxShapes) return null;
            int holes = 0;
            for (int i = 0; i < Count; i++)
            {
                if (!Parts[i].IsLiteral) holes++;
            }
            if (holes > EventSlot.InlineArguments) return null; // its values could not go inline
            var copy = new SlotArgument[Count];
            Holes = 0;
            for (int i = 0; i < Count; i++)
            {
                ref var part = ref Parts[i];
                copy[i].Name = part.Name;
                copy[i].Format = part.Format;
                if (!part.IsLiteral)
                {
                    Values[Holes++] = part.Value;
                    part.Value = default;
                }
            }
            Count = 0;
            var shape = new CaptureShape(copy);
            shapes[_key] = shape;
            _shapesMade++;
            return shape;
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

    /// <summary>The literals, names and formats of one call site, in order (values unused).</summary>
    internal sealed class CaptureShape(SlotArgument[] parts)
    {
        public readonly SlotArgument[] Parts = parts;
        /// <summary>Calls that diverged from it since it last matched.</summary>
        public int Misses;
    }
}
