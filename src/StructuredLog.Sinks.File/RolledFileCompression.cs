namespace StructuredLog.Sinks.File;

/// <summary>How a file is compressed once it is rolled (on a background task; the active file is never compressed).</summary>
public enum RolledFileCompression
{
    /// <summary>Rolled files stay as they are.</summary>
    None,
    /// <summary>gzip (<c>.gz</c>), readable by every tool.</summary>
    Gzip,
    /// <summary>Zstandard (<c>.zst</c>), smaller and faster than gzip, through ZstdSharp.</summary>
    Zstd,
}
