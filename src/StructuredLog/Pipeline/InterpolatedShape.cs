using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// The constant part of an interpolated call site: its literal segments and its holes' names (the
/// caller's expressions) and formats, in order. All of them are compile-time constants, so a call site
/// hands the compiler the same string references every time; the calling thread finds its shape by
/// those references (a per-thread cache in front of a process-wide registry) and then puts only the
/// holes' values in the ring slot, as a message-template call does. The writer resolves a shape's
/// template once.
/// </summary>
internal sealed class InterpolatedShape
{
    private const int CacheSize = 256;   // per thread, direct-mapped: a miss goes to the registry
    private const int MaxShapes = 4_096; // registered at most; past it, new call sites take the parts path
    [ThreadStatic] private static InterpolatedShape?[]? t_cache;
    private static readonly ConcurrentDictionary<int, InterpolatedShape[]> s_registry = new();
    private static int s_count;

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

    /// <summary>
    /// Calling thread: the shape of <paramref name="parts"/>, found by the identity of its strings in this
    /// thread's cache, else in the process-wide registry (a call site is registered once, the only
    /// allocation); null when the registry is full (call sites built from run-time strings), and the
    /// caller then writes the parts themselves.
    /// </summary>
    public static InterpolatedShape? For(ReadOnlySpan<SlotArgument> parts)
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
        ref var slot = ref cache[(hash ^ (hash >> 16)) & (CacheSize - 1)];
        if (slot is { } cached && cached.Hash == hash && cached.Matches(parts)) return cached;
        return slot = Registered(parts, hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InterpolatedShape? Registered(ReadOnlySpan<SlotArgument> parts, int hash)
    {
        if (s_registry.TryGetValue(hash, out var known))
        {
            foreach (var shape in known)
            {
                if (shape.Matches(parts)) return shape;
            }
        }
        if (Volatile.Read(ref s_count) >= MaxShapes) return null;
        var created = new InterpolatedShape(parts, hash);
        // Two threads registering the same call site at once both succeed: two equal shapes, both correct.
        s_registry.AddOrUpdate(hash, static (_, c) => [c], static (_, list, c) => [.. list, c], created);
        Interlocked.Increment(ref s_count);
        return created;
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
