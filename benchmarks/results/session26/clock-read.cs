// What one timestamp read costs from .NET: Stopwatch.GetTimestamp (clock_gettime through the vDSO), a 10-byte rdtsc
// function written into an executable page and called as an unmanaged function pointer without a GC transition (what
// src/StructuredLog/Pipeline/PreciseClock.cs does), and the same with an lfence before the rdtsc. Linux x64 only.
//   dotnet run -c Release clock-read.cs
// docs/benchmarks-history.md, "Session 26", item 1.
#:property PublishAot=false
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

unsafe
{
    var libc = NativeLibrary.GetMainProgramHandle();
    var mmap = (delegate* unmanaged<nint, nuint, int, int, int, nint, nint>)NativeLibrary.GetExport(libc, "mmap");
    var mprotect = (delegate* unmanaged<nint, nuint, int, int>)NativeLibrary.GetExport(libc, "mprotect");
    nint page = mmap(0, 4096, 3, 0x22, -1, 0); // RW, MAP_PRIVATE|MAP_ANONYMOUS
    byte[] code2 = [0x0F, 0xAE, 0xE8, 0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3];
    byte[] code = [0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3]; // rdtsc; shl rdx,32; or rax,rdx; ret
    code.CopyTo(new Span<byte>((void*)page, 4096));
    code2.CopyTo(new Span<byte>((void*)(page + 64), 64));
    Console.WriteLine($"mprotect {mprotect(page, 4096, 5)}");
    var rdtsc = (delegate* unmanaged[SuppressGCTransition]<ulong>)page;
    var rdtsc2 = (delegate* unmanaged[SuppressGCTransition]<ulong>)(page + 64);
    for (int round = 0; round < 5; round++)
    {
        const int n = 10_000_000;
        ulong sink = 0;
        long a = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) sink += (ulong)Stopwatch.GetTimestamp();
        long b = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) sink += rdtsc();
        long c = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) sink += rdtsc2();
        long d = Stopwatch.GetTimestamp();
        Console.WriteLine($"Stopwatch {(b - a) * 1e9 / Stopwatch.Frequency / n:F2} ns, rdtsc {(c - b) * 1e9 / Stopwatch.Frequency / n:F2} ns, lfence+rdtsc {(d - c) * 1e9 / Stopwatch.Frequency / n:F2} ns ({sink & 1})");
    }
}
