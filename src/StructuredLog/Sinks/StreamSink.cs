using StructuredLog.Formatting;

namespace StructuredLog.Sinks;

/// <summary>
/// Appends formatted events to a stream or a single file (no rolling: see the
/// <c>StructuredLog.Sinks.File</c> package for rolling, retention and compression). Writes happen on
/// the sink's own I/O thread in large batches. A <see cref="FileStream"/> or <see cref="MemoryStream"/> is
/// written synchronously on that thread (no task or state machine per batch); a seekable
/// <see cref="FileStream"/> takes each batch in one gather write (<c>pwritev</c>, no extra copy) at its
/// position, which then moves past it, and other streams one write per run of payloads that lie next
/// to each other in the sink's queue (up to 64 KB). A file opened from a path is unbuffered, and on Linux
/// its disk blocks are reserved about 1 MB ahead of the end (<c>fallocate</c> with
/// <c>FALLOC_FL_KEEP_SIZE</c>: the file's length is unchanged, the reservation past it is returned on
/// dispose), which makes each append cheaper for the kernel.
/// </summary>
public sealed class StreamSink : BatchingSink
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly bool _synchronous;
    private readonly FilePreallocation? _preallocation;

    /// <summary>Writes to <paramref name="stream"/>; <paramref name="ownsStream"/> disposes it with the sink.</summary>
    public StreamSink(Stream stream, ILogFormatter? formatter = null, bool ownsStream = false, BatchingOptions? options = null)
        : base("stream", formatter ?? JsonFormatter.Default, options ?? CreateDefaultOptions())
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _ownsStream = ownsStream;
        _synchronous = stream is FileStream or MemoryStream;
    }

    /// <summary>Appends to the file at <paramref name="path"/> (created with its directory if missing).</summary>
    public StreamSink(string path, ILogFormatter? formatter = null, BatchingOptions? options = null)
        : this(OpenAppend(path), formatter, ownsStream: true, options)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (_stream is FileStream { CanSeek: true } file) _preallocation = FilePreallocation.For(file.SafeFileHandle);
    }

    /// <summary>
    /// The options a stream sink uses when none are given (batches every 200 ms or 1,024 events; the rest as
    /// <see cref="BatchingOptions"/>' defaults): a fresh instance to change one setting and pass in, e.g.
    /// <see cref="BatchingOptions.FullMode"/>.
    /// </summary>
    public static BatchingOptions CreateDefaultOptions() => new() { Period = TimeSpan.FromMilliseconds(200), BatchSizeLimit = 1024 };

    /// <summary>The file's full path when the sink was created from a path, else null.</summary>
    public string? Path { get; }

    private static FileStream OpenAppend(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        // Unbuffered (bufferSize 0): the sink hands over runs of up to 64 KB, which a FileStream buffer
        // would only copy once more; written synchronously from the sink's I/O thread.
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);
    }

    /// <inheritdoc />
    protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        _preallocation?.BeforeWrite(_stream.Position, batch.TotalBytes);
        return batch.WriteToAndFlushAsync(_stream, _synchronous, cancellationToken);
    }

    /// <inheritdoc />
    protected override async ValueTask OnDisposeAsync()
    {
        _preallocation?.Release();
        if (_ownsStream) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
