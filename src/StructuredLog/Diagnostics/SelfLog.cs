namespace StructuredLog.Diagnostics;

/// <summary>
/// StructuredLog's own failures (a sink that throws, a formatter that fails, a peer that is down) are
/// reported here, never thrown into the application. Off by default; rate-limited to
/// <see cref="MaxMessagesPerInterval"/> messages per <see cref="Interval"/> per source, with a count of
/// what was suppressed.
/// </summary>
public static class SelfLog
{
    private static Action<string>? s_output;
    private static readonly Dictionary<string, (long WindowStart, int Count, int Suppressed)> s_windows = new();
    private static readonly object s_lock = new();

    /// <summary>At most this many messages per source and interval are written.</summary>
    public static int MaxMessagesPerInterval { get; set; } = 10;

    /// <summary>The rate-limiting interval.</summary>
    public static TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends self-log messages to <paramref name="output"/> (e.g. <c>Console.Error.WriteLine</c>).</summary>
    public static void Enable(Action<string> output) => s_output = output ?? throw new ArgumentNullException(nameof(output));

    /// <summary>Sends self-log messages to a <see cref="TextWriter"/> (synchronised).</summary>
    public static void Enable(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var synced = TextWriter.Synchronized(writer);
        s_output = m => { synced.WriteLine(m); synced.Flush(); };
    }

    /// <summary>Stops self-logging.</summary>
    public static void Disable() => s_output = null;

    /// <summary>True when a destination is set.</summary>
    public static bool IsEnabled => s_output is not null;

    /// <summary>Writes a message from <paramref name="source"/>, subject to rate limiting. Never throws.</summary>
    public static void Write(string source, string message)
    {
        var output = s_output;
        if (output is null) return;
        string? prefix = null;
        lock (s_lock)
        {
            long now = Environment.TickCount64;
            s_windows.TryGetValue(source, out var w);
            if (now - w.WindowStart >= (long)Interval.TotalMilliseconds)
            {
                if (w.Suppressed > 0) prefix = $"({w.Suppressed} earlier messages from {source} suppressed) ";
                w = (now, 0, 0);
            }
            if (w.Count >= MaxMessagesPerInterval)
            {
                w.Suppressed++;
                s_windows[source] = w;
                return;
            }
            w.Count++;
            s_windows[source] = w;
        }
        try
        {
            output($"{DateTime.UtcNow:O} StructuredLog [{source}] {prefix}{message}");
        }
        catch
        {
            // The self-log must never throw into the application either.
        }
    }
}
