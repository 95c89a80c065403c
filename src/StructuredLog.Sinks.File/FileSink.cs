using System.Buffers;
using StructuredLog.Diagnostics;
using StructuredLog.Formatting;
using StructuredLog.Sinks.File.Storage;

namespace StructuredLog.Sinks.File;

/// <summary>
/// A rolling file sink. The writer thread only copies each event's formatted bytes into the sink's
/// bounded queue (<see cref="BatchingSink"/>); the sink's own task appends them in large writes, rolls
/// by size and time (never renaming the file being written), and hands rolled files to a background task
/// that compresses them (gzip or zstd) and applies retention, so the writer never waits for either.
/// <para>
/// Failures (disk full, permission denied) never reach the application: the batch is retried with
/// backoff while new events wait in memory up to <see cref="FileSinkOptions.QueueLimit"/>, after which
/// they are dropped and counted (<see cref="BatchingSink.EventsDropped"/>). A failed write is cut back to
/// the last complete record, so a file never holds half an event; writing resumes when the disk does.
/// </para>
/// </summary>
public sealed class FileSink : BatchingSink
{
    private const int WriteChunkBytes = 256 * 1024;

    private readonly FileSinkOptions _options;
    private readonly ILogFileFormat? _format;
    private readonly FileSetLock _lock;
    private readonly ArrayBufferWriter<byte> _pending = new(WriteChunkBytes + 64 * 1024);
    private readonly object _maintenanceLock = new();
    private Task _maintenance = Task.CompletedTask;
    private ActiveLogFile? _file;
    private ILogFileEncoder? _encoder;
    private long _resumeSequence;       // events below this sequence are in the file (a retried batch skips them)
    private long _pendingLastSequence = -1;
    private long _writeFailures, _rolls, _compressed, _deleted, _repairedBytes, _maintenanceFailures;

    /// <summary>Creates a sink writing the file set named after <paramref name="path"/> with default options.</summary>
    public FileSink(string path, ILogFormatter? formatter = null)
        : this(new FileSinkOptions { Path = path, Formatter = formatter ?? JsonFormatter.Default })
    {
    }

    /// <summary>Creates a sink. Throws <see cref="ArgumentException"/> for bad options and, with <see cref="FileLockConflict.Throw"/>, <see cref="IOException"/> when the set is in use.</summary>
    public FileSink(FileSinkOptions options)
        : base("file:" + System.IO.Path.GetFileName(Checked(options).Path), options.Formatter, BatchingFor(options))
    {
        _options = options;
        _format = options.Formatter as ILogFileFormat;
        var set = new RolledFileSet(options.Path);
        var fileLock = FileSetLock.TryAcquire(set, options.Shared);
        if (fileLock is null)
        {
            string lockPath = System.IO.Path.Combine(set.Directory, set.BaseName + set.Extension + ".lock");
            if (options.Shared || options.OnLockConflict == FileLockConflict.Throw)
            {
                throw new IOException(
                    $"The log file set '{options.Path}' is in use by another writer ({lockPath} is locked). " +
                    (options.Shared ? "Shared mode cannot join an exclusive writer." : "Use shared mode to write it from several processes, or FileLockConflict.UseOwnFile."));
            }
            string own = System.IO.Path.Combine(set.Directory, set.BaseName + "_" + Environment.ProcessId + set.Extension);
            set = new RolledFileSet(own);
            fileLock = FileSetLock.TryAcquire(set, shared: false)
                ?? throw new IOException($"The log file sets '{options.Path}' and '{own}' are both in use by other writers.");
            SelfLog.Write(Name, $"{options.Path} is in use by another writer ({lockPath}); writing {own} instead");
        }
        FileSet = set;
        _lock = fileLock;
        ScheduleMaintenance(null, startup: true);
    }

    /// <summary>The naming scheme of the files this sink writes (its path differs from the configured one after a lock conflict).</summary>
    public RolledFileSet FileSet { get; }

    /// <summary>The file currently appended to, or null before the first write.</summary>
    public string? CurrentPath => Volatile.Read(ref _file)?.Path;

    /// <summary>Failed write attempts (disk full, permission denied...); each is retried.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Files rolled so far.</summary>
    public long FilesRolled => Interlocked.Read(ref _rolls);

    /// <summary>Rolled files compressed so far.</summary>
    public long FilesCompressed => Interlocked.Read(ref _compressed);

    /// <summary>Files deleted by retention so far.</summary>
    public long FilesDeleted => Interlocked.Read(ref _deleted);

    /// <summary>Bytes of torn tails (partial records left by a crash) cut when files were opened.</summary>
    public long TornBytesRepaired => Interlocked.Read(ref _repairedBytes);

    /// <summary>Compression or retention runs that failed (reported in the self-log; retried on the next roll).</summary>
    public long MaintenanceFailures => Interlocked.Read(ref _maintenanceFailures);

    /// <summary>Completes when compression and retention scheduled so far are done (for tests and tools).</summary>
    public Task WhenMaintenanceIdleAsync()
    {
        lock (_maintenanceLock) return _maintenance;
    }

    /// <summary>Test seam: called before every write to the disk; an exception it throws acts as an I/O failure.</summary>
    internal Action<int>? BeforeWrite { get; set; }

    private static FileSinkOptions Checked(FileSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    private static BatchingOptions BatchingFor(FileSinkOptions o) => new()
    {
        Period = o.FlushInterval,
        BatchSizeLimit = o.BatchSizeLimit,
        BatchBytesLimit = 4 * 1024 * 1024,
        QueueLimit = o.QueueLimit,
        QueueBytesLimit = o.QueueBytesLimit,
        FullMode = o.FullMode,
        BlockTimeout = o.BlockTimeout,
        MinBackoff = o.MinRetryDelay,
        MaxBackoff = o.MaxRetryDelay,
        MaxRetries = int.MaxValue, // a full disk is waited out; the queue bound decides what is dropped
        ShutdownTimeout = o.ShutdownTimeout,
        WriteTimeout = TimeSpan.FromMinutes(5),
    };

    /// <inheritdoc />
    protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        using var append = _lock.EnterAppend();
        try
        {
            if (append.Abandoned && _file is not null) RepairAfterPeerCrash();
            EnsureFile();
            long limit = _options.FileSizeLimitBytes ?? long.MaxValue;
            foreach (ref readonly var e in batch.Events)
            {
                if (e.Sequence < _resumeSequence) continue; // written before an earlier attempt failed
                long size = _file!.Length + _pending.WrittenCount;
                if (size > 0 && size + e.Payload.Length > limit && !IsOnlyHeader(size))
                {
                    Commit();
                    Roll(sameperiod: true);
                }
                if (_encoder is null) _pending.Write(e.Payload.Span);
                else _encoder.Append(e.Payload.Span, _pending);
                _pendingLastSequence = e.Sequence;
                if (_pending.WrittenCount >= WriteChunkBytes) Commit();
            }
            Commit();
            if (_options.FlushToDisk) _file?.FlushToDisk();
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _writeFailures);
            AbandonPending();
            throw new SinkWriteException($"writing {_file?.Path ?? FileSet.PathOf("", 0)} failed: {ex.Message}", retryable: true, inner: ex);
        }
    }

    private bool IsOnlyHeader(long size) => _headerBytes > 0 && size <= _headerBytes;

    private long _headerBytes;

    private void Commit()
    {
        if (_pending.WrittenCount == 0) return;
        BeforeWrite?.Invoke(_pending.WrittenCount);
        _file!.Append(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
        if (_pendingLastSequence >= 0) _resumeSequence = _pendingLastSequence + 1;
        _pendingLastSequence = -1;
    }

    /// <summary>After a failed write: forget what was not written; the per-file encoder restarts (it may have announced things the file never got).</summary>
    private void AbandonPending()
    {
        _pending.ResetWrittenCount();
        _pendingLastSequence = -1;
        if (_file is not null && _format is not null) StartEncoder(_file.Length == 0);
    }

    private void StartEncoder(bool newFile)
    {
        _headerBytes = 0;
        if (_format is null) return;
        _encoder = _format.StartFile();
        if (newFile)
        {
            int before = _pending.WrittenCount;
            _encoder.WriteHeader(_pending);
            _headerBytes = _pending.WrittenCount - before;
        }
    }

    private DateTime Now()
    {
        var now = _options.Clock.GetUtcNow();
        return _options.UseLocalTime ? now.ToLocalTime().DateTime : now.UtcDateTime;
    }

    /// <summary>Opens the right file for now: at start, after a period change, or (shared mode) after another process rolled.</summary>
    private void EnsureFile()
    {
        string period = RolledFileSet.PeriodOf(Now(), _options.RollingInterval);
        if (_options.Shared)
        {
            var latest = LatestOf(period);
            if (_file is not null && latest is { } l && l.Sequence == _file.Name.Sequence && l.Period == _file.Name.Period
                && l.Compression == RolledFileCompression.None)
            {
                _file.RefreshLength();
                return;
            }
        }
        else if (_file is not null)
        {
            if (_file.Name.Period == period) return;
            Roll(sameperiod: false);
            return;
        }
        OpenLatest(period);
    }

    private RolledFile? LatestOf(string period)
    {
        RolledFile? latest = null;
        foreach (var f in FileSet.Find())
        {
            if (f.Period == period) latest = f;
        }
        return latest;
    }

    private void OpenLatest(string period)
    {
        var previous = _file;
        CloseFile();
        // Shared mode: another process rolled, or the period changed. Compressing twice is prevented by the temporary file.
        if (previous is not null && _options.Shared) ScheduleMaintenance(previous.Path, startup: false);
        var latest = LatestOf(period);
        RolledFile name;
        if (latest is { } l && l.Compression == RolledFileCompression.None && l.Path != _rolledAwayFrom && !IsFull(l.Path)) name = l;
        else name = new RolledFile(FileSet.PathOf(period, latest is { } c ? c.Sequence + 1 : 0), period, latest is { } d ? d.Sequence + 1 : 0, RolledFileCompression.None);
        OpenFile(name);
    }

    /// <summary>A file at or past the size limit is not reopened (after a restart, or after a failed roll).</summary>
    private bool IsFull(string path)
    {
        if (_options.FileSizeLimitBytes is not { } limit) return false;
        try { return new FileInfo(path).Length >= limit; }
        catch (IOException) { return false; }
    }

    private string? _rolledAwayFrom; // exclusive mode: the file handed to compression is never reopened

    private void OpenFile(RolledFile name)
    {
        var file = ActiveLogFile.Open(name, _options);
        if (file.RepairedBytes > 0)
        {
            Interlocked.Add(ref _repairedBytes, file.RepairedBytes);
            SelfLog.Write(Name, $"cut a torn tail of {file.RepairedBytes} bytes from {name.Path} (left by a crash)");
        }
        bool first = _file is null && !_openedOnce;
        Volatile.Write(ref _file, file);
        StartEncoder(file.Length == 0);
        if (first)
        {
            _openedOnce = true;
            if (!_options.Shared) ScheduleMaintenance(null, startup: true);
        }
    }

    private bool _openedOnce;

    private void RepairAfterPeerCrash()
    {
        _file!.Repair(_options.Formatter);
        StartEncoder(_file.Length == 0);
    }

    /// <summary>Starts the next file (same period: next sequence; new period: its first free name) and schedules compression of the old one.</summary>
    private void Roll(bool sameperiod)
    {
        var old = _file!;
        string period = sameperiod ? old.Name.Period : RolledFileSet.PeriodOf(Now(), _options.RollingInterval);
        CloseFile();
        _rolledAwayFrom = old.Path;
        Interlocked.Increment(ref _rolls);
        if (sameperiod)
        {
            int next = old.Name.Sequence + 1;
            var latest = LatestOf(period);
            if (latest is { } l && l.Sequence >= next) next = l.Sequence + 1;
            OpenFile(new RolledFile(FileSet.PathOf(period, next), period, next, RolledFileCompression.None));
        }
        else
        {
            OpenLatest(period);
        }
        ScheduleMaintenance(old.Path, startup: false);
    }

    private void CloseFile()
    {
        var f = _file;
        if (f is null) return;
        Volatile.Write(ref _file, null);
        _encoder = null;
        f.Dispose();
    }

    private void ScheduleMaintenance(string? rolledPath, bool startup)
    {
        lock (_maintenanceLock)
        {
            _maintenance = _maintenance.ContinueWith(_ => RunMaintenance(rolledPath, startup), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void RunMaintenance(string? rolledPath, bool startup)
    {
        try
        {
            if (_options.Compression != RolledFileCompression.None)
            {
                if (rolledPath is not null) CompressOne(rolledPath);
                if (startup) CompressLeftovers();
            }
            ApplyRetention();
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _maintenanceFailures);
            SelfLog.Write(Name, $"compression/retention failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void CompressOne(string path)
    {
        if (!System.IO.File.Exists(path)) return;
        if (RolledFileCompressor.Compress(path, _options.Compression, OperatingSystem.IsWindows() ? null : _options.UnixFileMode, _options.Shared))
            Interlocked.Increment(ref _compressed);
    }

    /// <summary>
    /// At start and on the first open: files left uncompressed by a crash or by a restart in a new period are
    /// compressed now — all but the file being written (before the first write: all but the newest).
    /// </summary>
    private void CompressLeftovers()
    {
        var files = FileSet.Find();
        string? active = CurrentPath;
        for (int i = 0; i < files.Count; i++)
        {
            var f = files[i];
            if (f.Compression != RolledFileCompression.None || f.Path == active) continue;
            if (i == files.Count - 1 && (active is null || _options.Shared)) continue; // may be (about to be) written
            CompressOne(f.Path);
        }
    }

    private void ApplyRetention()
    {
        int? countLimit = _options.RetainedFileCountLimit;
        long? bytesLimit = _options.RetainedTotalBytesLimit;
        TimeSpan? ageLimit = _options.RetainedFileAgeLimit;
        if (countLimit is null && bytesLimit is null && ageLimit is null) return;
        var files = FileSet.Find();
        if (files.Count <= 1) return;
        string? active = CurrentPath;
        var now = _options.Clock.GetUtcNow().UtcDateTime;
        // Newest first; the newest file (and the active one) is never deleted.
        long total = 0;
        int kept = 0;
        for (int i = files.Count - 1; i >= 0; i--)
        {
            var f = files[i];
            var info = new FileInfo(f.Path);
            if (!info.Exists) continue;
            bool isActive = i == files.Count - 1 || f.Path == active;
            total += info.Length;
            kept++;
            if (isActive) continue;
            bool delete = (countLimit is { } c && kept > c)
                || (bytesLimit is { } b && total > b)
                || (ageLimit is { } a && now - info.LastWriteTimeUtc > a);
            if (!delete) continue;
            try
            {
                info.Delete();
                Interlocked.Increment(ref _deleted);
                total -= info.Length;
                kept--;
            }
            catch (IOException ex) { SelfLog.Write(Name, $"could not delete {f.Path}: {ex.Message}"); }
            catch (UnauthorizedAccessException ex) { SelfLog.Write(Name, $"could not delete {f.Path}: {ex.Message}"); }
        }
    }

    /// <inheritdoc />
    protected override async ValueTask OnDisposeAsync()
    {
        CloseFile();
        Task maintenance;
        lock (_maintenanceLock) maintenance = _maintenance;
        try { await maintenance.WaitAsync(_options.ShutdownTimeout).ConfigureAwait(false); }
        catch (TimeoutException) { SelfLog.Write(Name, "compression was still running at shutdown; it resumes on the next start"); }
        _lock.Dispose();
    }
}
