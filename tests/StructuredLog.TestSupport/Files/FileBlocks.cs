using System.Diagnostics;

namespace StructuredLog.TestSupport.Files;

/// <summary>Disk space a file holds, as <c>stat</c> reports it (Linux): to see blocks reserved past a file's end.</summary>
public static class FileBlocks
{
    /// <summary>True where <see cref="AllocatedBytes"/> works and the sinks reserve blocks (64-bit Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Bytes of disk blocks allocated to <paramref name="path"/> (<c>stat -c "%b %B"</c>), reserved ones included.</summary>
    public static long AllocatedBytes(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("%b %B");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("stat did not start");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000) || process.ExitCode != 0) throw new InvalidOperationException($"stat {path} failed: {error}");
        var parts = output.Trim().Split(' ');
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }

    /// <summary>The file system type of <paramref name="path"/>'s mount (<c>stat -f -c %T</c>), for failure messages.</summary>
    public static string FileSystemOf(string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("%T");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("stat did not start");
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit(10_000);
        return output;
    }
}
