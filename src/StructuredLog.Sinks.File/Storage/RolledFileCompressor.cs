using System.IO.Compression;

namespace StructuredLog.Sinks.File.Storage;

/// <summary>Compresses a rolled file next to itself (<c>x.log</c> → <c>x.log.gz</c>) through a temporary file, then deletes the original.</summary>
internal static class RolledFileCompressor
{
    public static string Extension(RolledFileCompression compression) => compression switch
    {
        RolledFileCompression.Gzip => ".gz",
        RolledFileCompression.Zstd => ".zst",
        _ => "",
    };

    /// <summary>Compresses <paramref name="path"/>; returns false when another process is already at it.</summary>
    public static bool Compress(string path, RolledFileCompression compression, UnixFileMode? mode, bool shared)
    {
        string target = path + Extension(compression);
        string temp = target + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = shared ? FileMode.CreateNew : FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
        };
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        FileStream output;
        try
        {
            output = new FileStream(temp, options);
        }
        catch (IOException) when (shared)
        {
            return false; // another process compresses this file
        }
        try
        {
            if (mode is { } exact && !OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(output.SafeFileHandle, exact); // not filtered by the umask
            using (output)
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024))
            using (Stream compressor = compression == RolledFileCompression.Zstd
                ? new ZstdSharp.CompressionStream(output, 3, leaveOpen: true)
                : new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            {
                input.CopyTo(compressor);
            }
            System.IO.File.Move(temp, target, overwrite: true);
            System.IO.File.Delete(path);
            return true;
        }
        catch
        {
            try { System.IO.File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
