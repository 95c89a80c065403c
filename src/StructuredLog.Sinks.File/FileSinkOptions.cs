using StructuredLog.Formatting;

namespace StructuredLog.Sinks.File;

/// <summary>Options of <see cref="FileSink"/>. Every limit is optional; the defaults suit a service writing JSON lines.</summary>
public sealed class FileSinkOptions
{
    /// <summary>
    /// The file path the set is named after, e.g. <c>logs/app.log</c>: files are <c>logs/app-20261125.log</c>,
    /// <c>logs/app-20261125.001.log</c>, ... (the date part only with a <see cref="RollingInterval"/>).
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>The formatter. Default: JSON lines (<see cref="JsonFormatter.Default"/>).</summary>
    public ILogFormatter Formatter { get; set; } = JsonFormatter.Default;

    /// <summary>Time rolling. Default <see cref="RollingInterval.Day"/>.</summary>
    public RollingInterval RollingInterval { get; set; } = RollingInterval.Day;

    /// <summary>Use local time for the period in file names and for rolling; default false (UTC).</summary>
    public bool UseLocalTime { get; set; }

    /// <summary>A new file is started before one would grow past this many bytes; null for no limit. Default 100 MiB.</summary>
    public long? FileSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>At most this many files are kept (the active one included); null keeps all. Default 31.</summary>
    public int? RetainedFileCountLimit { get; set; } = 31;

    /// <summary>The oldest files are deleted while the set (on disk, compressed sizes) is larger than this; null for no limit.</summary>
    public long? RetainedTotalBytesLimit { get; set; }

    /// <summary>Rolled files last written longer ago than this are deleted; null for no limit.</summary>
    public TimeSpan? RetainedFileAgeLimit { get; set; }

    /// <summary>Compression of rolled files. Default <see cref="RolledFileCompression.Gzip"/>.</summary>
    public RolledFileCompression Compression { get; set; } = RolledFileCompression.Gzip;

    /// <summary>How long events may wait in memory before they are written. Default 1 s. <c>FlushAsync</c> writes at once.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Call fsync after each write so that written events survive a power loss, not only a crash. Default false.</summary>
    public bool FlushToDisk { get; set; }

    /// <summary>
    /// Several processes may write the same file set: each write is appended under a machine-wide lock
    /// and every process follows the others' rolls. Slower; default false (exclusive).
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>What an exclusive sink does when the file set is already in use. Default <see cref="FileLockConflict.UseOwnFile"/>.</summary>
    public FileLockConflict OnLockConflict { get; set; } = FileLockConflict.UseOwnFile;

    /// <summary>Permissions of new files on Unix. Default owner read-write, group read (0640).</summary>
    public UnixFileMode UnixFileMode { get; set; } = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>Events held in memory while the disk is full or unwritable; past it, events are dropped and counted. Default 100,000.</summary>
    public int QueueLimit { get; set; } = 100_000;

    /// <summary>Bytes held in memory likewise. Default 64 MiB.</summary>
    public long QueueBytesLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// What happens when the queue is full: <see cref="QueueFullMode.DropNewest"/> (default) drops and counts
    /// new events; <see cref="QueueFullMode.Block"/> makes the pipeline's writer wait for the disk, up to
    /// <see cref="BlockTimeout"/>, so that a slow disk slows the callers instead of losing events.
    /// </summary>
    public QueueFullMode FullMode { get; set; } = QueueFullMode.DropNewest;

    /// <summary>With <see cref="QueueFullMode.Block"/>: the longest the writer waits for room (<see cref="BatchingOptions.BlockTimeout"/>). Default 30 s.</summary>
    public TimeSpan BlockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events per write. Default 10,000.</summary>
    public int BatchSizeLimit { get; set; } = 10_000;

    /// <summary>How long a failing disk is retried before the next attempt (doubles up to <see cref="MaxRetryDelay"/>). Default 100 ms.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between attempts while the disk is failing. Default 5 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long disposal keeps trying to write what is queued. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock that decides time rolling and retention age. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) throw new ArgumentException("FileSinkOptions.Path must be set", nameof(Path));
        if (Formatter is null) throw new ArgumentNullException(nameof(Formatter), "FileSinkOptions.Formatter must be set");
        if (FileSizeLimitBytes is < 1) throw new ArgumentOutOfRangeException(nameof(FileSizeLimitBytes), FileSizeLimitBytes, "must be positive");
        if (RetainedFileCountLimit is < 1) throw new ArgumentOutOfRangeException(nameof(RetainedFileCountLimit), RetainedFileCountLimit, "must be at least 1");
        if (RetainedTotalBytesLimit is < 1) throw new ArgumentOutOfRangeException(nameof(RetainedTotalBytesLimit), RetainedTotalBytesLimit, "must be positive");
        if (RetainedFileAgeLimit is { } age && age <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetainedFileAgeLimit), age, "must be positive");
        if (FlushInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, "must be positive");
        if (QueueLimit < 1) throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "must be at least 1");
        if (BatchSizeLimit < 1) throw new ArgumentOutOfRangeException(nameof(BatchSizeLimit), BatchSizeLimit, "must be at least 1");
        if (MinRetryDelay <= TimeSpan.Zero || MaxRetryDelay < MinRetryDelay) throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "must be at least MinRetryDelay, which must be positive");
        if (Clock is null) throw new ArgumentNullException(nameof(Clock), "FileSinkOptions.Clock must be set");
    }
}
