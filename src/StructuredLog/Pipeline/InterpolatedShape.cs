using System.Runtime.CompilerServices;
using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// The constant part of an interpolated call site: its literal segments and its holes' names (the
/// caller's expressions) and formats, in order. All of them are compile-time constants, so a call site
/// hands the compiler the same string references every time; the calling thread finds its shape by
/// those references in a small per-thread cache and then puts only the holes' values in the ring slot,
/// as a message-template call does. The writer resolves a shape's template once.
/// </summary>
internal sealed class InterpolatedShape
{
    private const int CacheSize = 64; // per thread; a miss only costs a new shape
    [ThreadStatic] private static InterpolatedShape?[]? t_cache;

    private InterpolatedShape(ReadOnlySpan<SlotArgument> parts, int hash)
    {
        Hash = hash;
        Parts = new SlotArgument[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            Parts[i].Name = parts[i].Name;
            Parts[i].Format = parts[i].Format;
        }
    }

    private int Hash { get; }

    /// <summary>The parts without their values (literal text, or hole name and format).</summary>
    public SlotArgument[] Parts { get; }

    /// <summary>The message template, set by the writer that first sees this shape.</summary>
    public MessageTemplate? Template
    {
        get => Volatile.Read(ref _template);
        set => Volatile.Write(ref _template, value);
    }

    private MessageTemplate? _template;

    /// <summary>Calling thread: the shape of <paramref name="parts"/> (found by the identity of its strings, or created).</summary>
    public static InterpolatedShape For(ReadOnlySpan<SlotArgument> parts)
    {
        // A cheap hash of the strings' lengths and end characters (identity hashes of string literals cost
        // more than the whole lookup); the shape found is then confirmed by reference.
        int hash = parts.Length;
        foreach (ref readonly var p in parts)
        {
            hash = hash * 31 + Cheap(p.Name);
            hash = hash * 31 + Cheap(p.Format);
        }
        var cache = t_cache ??= new InterpolatedShape?[CacheSize];
        ref var slot = ref cache[hash & (CacheSize - 1)];
        if (slot is { } cached && cached.Hash == hash && cached.Matches(parts)) return cached;
        return slot = new InterpolatedShape(parts, hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Cheap(string? s) => s is null ? 0 : s.Length == 0 ? 1 : s.Length * 65_599 + s[0] * 257 + s[^1];

    private bool Matches(ReadOnlySpan<SlotArgument> parts)
    {
        var mine = Parts;
        if (mine.Length != parts.Length) return false;
        for (int i = 0; i < mine.Length; i++)
        {
            if (!ReferenceEquals(mine[i].Name, parts[i].Name) || !ReferenceEquals(mine[i].Format, parts[i].Format)) return false;
        }
        return true;
    }
}
