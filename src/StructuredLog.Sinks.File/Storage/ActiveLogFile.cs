using StructuredLog.Formatting;

namespace StructuredLog.Sinks.File.Storage;

/// <summary>
/// The file being appended to. Writes go to an explicit offset (the committed length), so that a failed
/// write (disk full) can be cut back to the last complete record: the file never keeps half an event.
/// </summary>
internal sealed class ActiveLogFile : IDisposable
{
    private readonly FileStream _stream;
    // Exclusive mode only: blocks reserved ahead of the end (Linux), returned when the file is closed.
    private readonly FilePreallocation? _preallocation;

    private ActiveLogFile(FileStream stream, string path, RolledFile name, bool shared)
    {
        _stream = stream;
        if (!shared) _preallocation = FilePreallocation.For(stream.SafeFileHandle);
        Path = path;
        Name = name;
    }

    public string Path { get; }

    public RolledFile Name { get; }

    /// <summary>Bytes of complete records in the file.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes cut from the end when the file was opened (a torn tail left by a crash).</summary>
    public long RepairedBytes { get; private set; }

    /// <summary>Opens (creating if needed) <paramref name="name"/> for appending, cutting a torn tail.</summary>
    public static ActiveLogFile Open(RolledFile name, FileSinkOptions options)
    {
        var fso = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = options.Shared ? FileShare.ReadWrite | FileShare.Delete : FileShare.Read | FileShare.Delete,
            BufferSize = 0,
        };
        bool created = !System.IO.File.Exists(name.Path);
        if (!OperatingSystem.IsWindows()) fso.UnixCreateMode = options.UnixFileMode;
        var stream = new FileStream(name.Path, fso);
        try
        {
            // The create mode is filtered by the umask: set the configured mode exactly on new files.
            if (created && !OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(stream.SafeFileHandle, options.UnixFileMode);
            var file = new ActiveLogFile(stream, name.Path, name, options.Shared);
            file.Repair(options.Formatter);
            return file;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Cuts a torn tail and takes the file's length as committed.</summary>
    public void Repair(ILogFormatter formatter)
    {
        long length = _stream.Length;
        long intact = TornTail.MeasureIntactLength(_stream, formatter);
        if (intact < length)
        {
            _stream.SetLength(intact);
            RepairedBytes += length - intact;
        }
        Length = intact;
    }

    /// <summary>Shared mode: other processes append too; take the file's current end as ours.</summary>
    public void RefreshLength() => Length = RandomAccess.GetLength(_stream.SafeFileHandle);

    /// <summary>Appends <paramref name="bytes"/> at the committed end. On failure the file is cut back and the exception rethrown.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _preallocation?.BeforeWrite(Length, bytes.Length);
            RandomAccess.Write(_stream.SafeFileHandle, bytes, Length);
            Length += bytes.Length;
        }
        catch
        {
            try { _stream.SetLength(Length); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>fsync: the written bytes survive a power loss.</summary>
    public void FlushToDisk() => _stream.Flush(flushToDisk: true);

    /// <summary>Returns the blocks reserved past the end, then closes the file.</summary>
    public void Dispose()
    {
        _preallocation?.Release();
        _stream.Dispose();
    }
}
