using Microsoft.Win32.SafeHandles;
using StructuredLog.Pipeline;

namespace StructuredLog.Sinks;

/// <summary>
/// Reserves disk blocks ahead of a log file's end with <c>fallocate(FALLOC_FL_KEEP_SIZE)</c> (Linux, 64-bit):
/// the file's length does not change, readers see only what was written, and appends into reserved blocks
/// skip the file system's per-page block reservation (ext4's delayed allocation), about a quarter of the
/// kernel's CPU per appended byte on ext4. <see cref="Release"/> returns what was reserved past the end.
/// For a file one writer appends to (not a shared file: another process's append could land between
/// <see cref="Release"/>'s reading of the length and its truncation).
/// </summary>
/// <remarks>
/// An optimisation only: on other systems, or when the file system refuses (<c>EOPNOTSUPP</c> on some
/// network and FUSE file systems, <c>ENOSPC</c>), it stops for that file and writes go on as before.
/// Shared between the core's <c>StreamSink</c> and the rolling file sink as one source file.
/// </remarks>
internal sealed unsafe class FilePreallocation
{
    /// <summary>How far ahead of the end of each write blocks are reserved.</summary>
    internal const long Step = 1 << 20;

    private const int FallocKeepSize = 1;

    private static readonly delegate* unmanaged<int, int, long, long, int> s_fallocate;
    private static readonly delegate* unmanaged<int, long, int> s_ftruncate;

    private readonly SafeFileHandle _handle;
    private long _reservedEnd;
    private bool _off;
    private bool _attempted;

    static FilePreallocation()
    {
        // off_t is 64-bit on every 64-bit Linux.
        if (!Environment.Is64BitProcess) return;
        if (LibcSymbols.TryGet("fallocate", out var fallocate) && LibcSymbols.TryGet("ftruncate", out var ftruncate))
        {
            s_fallocate = (delegate* unmanaged<int, int, long, long, int>)fallocate;
            s_ftruncate = (delegate* unmanaged<int, long, int>)ftruncate;
        }
    }

    private FilePreallocation(SafeFileHandle handle) => _handle = handle;

    /// <summary>A reservation for <paramref name="handle"/>, or null where the platform has none.</summary>
    public static FilePreallocation? For(SafeFileHandle handle) =>
        s_fallocate is not null && !handle.IsInvalid ? new FilePreallocation(handle) : null;

    /// <summary>Blocks reserved up to this offset (0 when none).</summary>
    public long ReservedEnd => _reservedEnd;

    /// <summary>False once the file system refused a reservation: no further attempts for this file.</summary>
    public bool Active => !_off;

    /// <summary>
    /// Before <paramref name="count"/> bytes are written at <paramref name="position"/>: when they would pass
    /// the reserved end, reserves up to <see cref="Step"/> past them.
    /// </summary>
    public void BeforeWrite(long position, long count)
    {
        long end = position + count;
        if (end <= _reservedEnd || _off) return;
        long from = Math.Max(_reservedEnd, position);
        long to = end + Step;
        _attempted = true;
        if (Call(from, to - from, truncate: false) == 0)
        {
            _reservedEnd = to;
            return;
        }
        // Refused (not supported, or the disk is full): no further attempts for this file, and whatever a
        // failed call may have left allocated past the end is returned at once.
        _off = true;
        Release();
    }

    /// <summary>
    /// Returns the blocks reserved past the file's end, if any were: truncates the file to its own length
    /// (as the kernel knows it, not as a caller counted it), which cuts nothing and frees the reservation.
    /// </summary>
    public void Release()
    {
        if (!_attempted) return;
        _attempted = false;
        _reservedEnd = 0;
        try { Call(RandomAccess.GetLength(_handle), 0, truncate: true); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException) { }
    }

    private int Call(long offset, long length, bool truncate)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            int fd = (int)_handle.DangerousGetHandle();
            return truncate ? s_ftruncate(fd, offset) : s_fallocate(fd, FallocKeepSize, offset, length);
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }
}
