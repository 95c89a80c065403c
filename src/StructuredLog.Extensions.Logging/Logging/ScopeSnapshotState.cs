namespace StructuredLog.Extensions.Logging;

/// <summary>
/// The scope pairs a thread's last typed event brought through one scope provider (<see cref="PropertyBuffer.EndScopes"/>),
/// and, once the next event brought the same ones, their <see cref="ScopePropertySnapshot"/>. Written by the owner thread
/// only; the sweep only drops the buffer's reference to it.
/// </summary>
internal sealed class ScopeSnapshotState
{
    public ScopeWalker? Walker;
    public KeyValuePair<string, object?>[] Pairs = new KeyValuePair<string, object?>[16];
    public int Count;
    public ScopePropertySnapshot? Shared;

    /// <summary>Takes <paramref name="pairs"/> (the array is reused: the shared snapshot copies what it keeps).</summary>
    public void Set(ScopeWalker walker, ReadOnlySpan<KeyValuePair<string, object?>> pairs)
    {
        Walker = walker;
        if (Pairs.Length < pairs.Length) Pairs = new KeyValuePair<string, object?>[Math.Max(pairs.Length, Pairs.Length * 2)];
        else Pairs.AsSpan(pairs.Length, Count - Math.Min(Count, pairs.Length)).Clear();
        pairs.CopyTo(Pairs);
        Count = pairs.Length;
        Shared = null;
    }
}

/// <summary>
/// Forgets the scope snapshots of threads that logged nothing typed since the previous sweep (every 2 s, on a timer), so
/// that an idle thread does not keep a finished request's scope values alive for long.
/// </summary>
internal static class ScopeSnapshotSweep
{
    private static readonly List<WeakReference<PropertyBuffer>> s_buffers = new();
    private static Timer? s_timer;

    /// <summary>The sweep's period.</summary>
    internal static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    public static void Register(PropertyBuffer buffer)
    {
        lock (s_buffers)
        {
            s_buffers.Add(new WeakReference<PropertyBuffer>(buffer));
            s_timer ??= new Timer(static _ => SweepNow(), null, Period, Period);
        }
    }

    /// <summary>One sweep (the timer's; tests call it directly).</summary>
    internal static void SweepNow()
    {
        lock (s_buffers)
        {
            // Buffers of threads that ended are collected: their entries go.
            s_buffers.RemoveAll(static w => !w.TryGetTarget(out _));
            foreach (var w in s_buffers)
                if (w.TryGetTarget(out var buffer)) buffer.SweepSnapshot();
        }
    }
}
