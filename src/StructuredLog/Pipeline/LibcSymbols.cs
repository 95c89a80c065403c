using System.Runtime.InteropServices;

namespace StructuredLog.Pipeline;

/// <summary>
/// The address of a C library function on Linux, looked up in the process's global symbols (libc is always loaded
/// there), so that no library file name (libc.so.6, musl's libc.so) has to be guessed. Used by the few system calls the
/// library makes directly (FilePreallocation, BackgroundScheduling); compiled into StructuredLog.Sinks.File too, with
/// FilePreallocation.
/// </summary>
internal static class LibcSymbols
{
    /// <summary>False on other systems, or when the symbol or the lookup is not there.</summary>
    public static bool TryGet(string name, out nint address)
    {
        address = 0;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out address);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    }
}
