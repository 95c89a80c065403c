#:property PublishAot=false
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
// CPU and wall time of writing N 210-byte JSON lines to a file on /tmp (ext4): buffered 64 KB writes (what the file sink
// does) against O_DIRECT writes of 1 MB / 256 KB aligned blocks. Alternated, each mode several times.
const int Lines = 1_000_000;
var line = System.Text.Encoding.UTF8.GetBytes("{\"@t\":\"2026-11-27T15:13:38.0688243Z\",\"@l\":\"Info\",\"@m\":\"Processed order 12345 in 3086.25 ms for alice\",\"@mt\":\"Processed order {A} in {B} ms for {C}\",\"@c\":\"Benchmarks.Orders\",\"A\":12345,\"B\":3086.25,\"C\":\"alice\"}\n");
long total = (long)line.Length * Lines;
unsafe
{
    for (int round = 0; round < 4; round++)
    foreach (var (mode, block) in new[] { ("buffered", 64 * 1024), ("direct", 1 << 20), ("copyonly", 64 * 1024) })
    {
        string path = $"/tmp/s24/direct/out-{mode}-{block}.jsonl";
        File.Delete(path);
        var options = mode == "direct" ? (FileOptions)0x20000000 : FileOptions.None;
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, options);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)block, 4096);
        var span = new Span<byte>(buffer, block);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        long offset = 0; int filled = 0;
        for (int i = 0; i < Lines; i++)
        {
            // fill the block line by line, as formatted lines would be staged
            int room = block - filled;
            if (room >= line.Length) { line.CopyTo(span[filled..]); filled += line.Length; }
            else
            {
                line.AsSpan(0, room).CopyTo(span[filled..]);
                if (mode != "copyonly") RandomAccess.Write(handle, span, offset); offset += block;
                line.AsSpan(room).CopyTo(span); filled = line.Length - room;
            }
        }
        // the tail: buffered writes it as is; direct pads to 4 KB and then truncates
        if (mode == "direct")
        {
            int padded = (filled + 4095) & ~4095;
            span[filled..padded].Clear();
            RandomAccess.Write(handle, span[..padded], offset);
            RandomAccess.SetLength(handle, offset + filled);
        }
        else if (mode != "copyonly") RandomAccess.Write(handle, span[..filled], offset);
        sw.Stop();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        NativeMemory.AlignedFree(buffer);
        long len = new FileInfo(path).Length;
        Console.WriteLine($"{mode,-8} {block / 1024,5} KB: {sw.Elapsed.TotalNanoseconds / Lines,6:F1} ns wall, {used.TotalNanoseconds / Lines,6:F1} ns CPU per line (incl. the user-space copy), file {(mode == "copyonly" ? "-" : len == total ? "ok" : "WRONG " + len)}");
        File.Delete(path);
    }
}
