namespace StructuredLog.Sinks.Network.Spill;

/// <summary>
/// Opt-in durable spill: while the peer is unreachable, batches are written to a bounded on-disk queue
/// (one file per batch, written to a temporary name, flushed to disk, then renamed) and replayed in order
/// when the peer returns — also by a new sink instance over the same directory after a process restart.
/// Past <see cref="MaxBytes"/> new batches are dropped and counted.
/// </summary>
public sealed class DurableSpillOptions
{
    /// <summary>Creates the options for <paramref name="directory"/> (created if missing). One sink per directory.</summary>
    public DurableSpillOptions(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The spill directory. It must not be shared by two live sinks.</summary>
    public string Directory { get; }

    /// <summary>Bytes kept on disk at most (payloads plus a few bytes per event). Default 512 MiB.</summary>
    public long MaxBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Flush each spill file to stable storage before it counts as spilled (survives power loss, slower). Default true.</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>First delay between replay attempts while the peer is still down; doubled up to <see cref="MaxReplayDelay"/>. Default 200 ms.</summary>
    public TimeSpan MinReplayDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between replay attempts. Default 10 s.</summary>
    public TimeSpan MaxReplayDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (MaxBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "must be positive");
        if (MinReplayDelay <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MinReplayDelay), MinReplayDelay, "must be positive");
        if (MaxReplayDelay < MinReplayDelay) throw new ArgumentOutOfRangeException(nameof(MaxReplayDelay), MaxReplayDelay, "must be at least MinReplayDelay");
    }
}
