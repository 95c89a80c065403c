using StructuredLog.Formatting;

namespace StructuredLog.Sinks;

/// <summary>
/// Appends formatted events to a stream or a single file (no rolling: see the
/// <c>StructuredLog.Sinks.File</c> package for rolling, retention and compression). Writes happen on
/// the sink's own task in large batches.
/// </summary>
public sealed class StreamSink : BatchingSink
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;

    /// <summary>Writes to <paramref name="stream"/>; <paramref name="ownsStream"/> disposes it with the sink.</summary>
    public StreamSink(Stream stream, ILogFormatter? formatter = null, bool ownsStream = false, BatchingOptions? options = null)
        : base("stream", formatter ?? JsonFormatter.Default, options ?? new BatchingOptions { Period = TimeSpan.FromMilliseconds(200), BatchSizeLimit = 4096 })
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _ownsStream = ownsStream;
    }

    /// <summary>Appends to the file at <paramref name="path"/> (created with its directory if missing).</summary>
    public StreamSink(string path, ILogFormatter? formatter = null, BatchingOptions? options = null)
        : this(OpenAppend(path), formatter, ownsStream: true, options)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The file's full path when the sink was created from a path, else null.</summary>
    public string? Path { get; }

    private static FileStream OpenAppend(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
    }

    /// <inheritdoc />
    protected override async Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        await batch.WritePayloadsToAsync(_stream, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async ValueTask OnDisposeAsync()
    {
        if (_ownsStream) await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
