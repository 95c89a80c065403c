#:property PublishAot=false
using System.Diagnostics;
// Appends 210-byte lines to a fresh file in runs of a given size, measuring the calling thread's CPU per line.
// aligned=1: each write ends on a multiple of the run size (file offsets aligned), the tail carried to the next write.
static class P
{
    static void Main(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "/tmp";
        int lines = 1_000_000;
        var line = new byte[210]; for (int i = 0; i < line.Length; i++) line[i] = (byte)('a' + i % 26); line[^1] = (byte)'\n';
        // "larger" (second argument): plain writes of 128 KB to 1 MB instead (write-size-larger.txt).
        var modes = args.Length > 1 && args[1] == "larger"
            ? new (string Name, int Run, bool Aligned)[] { ("unaligned 128K", 131072 - 777, false), ("unaligned 256K", 262144 - 777, false), ("unaligned 512K", 524288 - 777, false), ("unaligned 1M", 1048576 - 777, false) }
            : new (string Name, int Run, bool Aligned)[] { ("unaligned 64K", 65536 - 210 * 3, false), ("aligned 64K", 65536, true), ("batch-split", -1, true), ("writev batch", -4, true), ("unaligned 256K", 262144 - 777, false) };
        for (int round = 0; round < 4; round++)
        foreach (var (name, run, aligned) in modes)
        {
            var path = Path.Combine(dir, $"io-{Environment.ProcessId}.log");
            if (run == -1) { SplitMode(dir, lines, line, name, 65536); continue; }
            if (run == -4) { WritevMode(dir, lines, line, name); continue; }
            var buf = new byte[run + 4096];
            using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.None))
            {
                var t0 = Process.GetCurrentProcess().TotalProcessorTime; var sw = Stopwatch.StartNew();
                long cpuStart = ThreadCpuNs();
                int fill = 0; long offset = 0;
                for (int i = 0; i < lines; i++)
                {
                    line.CopyTo(buf.AsSpan(fill)); fill += line.Length;
                    if (fill >= run)
                    {
                        int n = aligned ? run - (int)(offset % run) : fill;
                        if (n > fill) n = fill;
                        fs.Write(buf, 0, n); offset += n;
                        Buffer.BlockCopy(buf, n, buf, 0, fill - n); fill -= n;
                    }
                }
                fs.Write(buf, 0, fill);
                long cpu = ThreadCpuNs() - cpuStart;
                Console.WriteLine($"{name,-15} {cpu / (double)lines,6:F1} ns CPU/line  {sw.Elapsed.TotalNanoseconds / lines,6:F1} ns wall/line");
            }
            File.Delete(path);
        }
    }
    // Batches of 1,024 lines (as the sink takes them), each written in pieces that end on multiples of `align` in the
    // file, except the batch's last piece (no bytes carried over between batches).
    static void SplitMode(string dir, int lines, byte[] line, string name, int align)
    {
        var path = Path.Combine(dir, $"io-{Environment.ProcessId}.log");
        var buf = new byte[1024 * line.Length];
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.None);
        long cpuStart = ThreadCpuNs(); var sw = Stopwatch.StartNew();
        long offset = 0;
        for (int b = 0; b < lines / 1024; b++)
        {
            for (int i = 0; i < 1024; i++) line.CopyTo(buf.AsSpan(i * line.Length));
            int pos = 0, len = buf.Length;
            while (pos < len)
            {
                long next = (offset / 65536 + 1) * 65536; // next 64 KB boundary
                int n = (int)Math.Min(len - pos, next - offset);
                fs.Write(buf, pos, n); pos += n; offset += n;
            }
        }
        long cpu = ThreadCpuNs() - cpuStart;
        Console.WriteLine($"{name,-15} {cpu / (double)lines,6:F1} ns CPU/line  {sw.Elapsed.TotalNanoseconds / lines,6:F1} ns wall/line");
        fs.Dispose(); File.Delete(path);
    }
    // Batches of 1,024 lines held in 64 KB chunks (runs of <= 64 KB, as the sink holds them), each batch one gather write.
    static void WritevMode(string dir, int lines, byte[] line, string name)
    {
        var path = Path.Combine(dir, $"io-{Environment.ProcessId}.log");
        var chunks = new byte[8][]; for (int i = 0; i < chunks.Length; i++) chunks[i] = new byte[65536];
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.None);
        long cpuStart = ThreadCpuNs(); var sw = Stopwatch.StartNew();
        var runs = new List<ReadOnlyMemory<byte>>();
        int ci = 0, cpos = 0; long offset = 0;
        for (int b = 0; b < lines / 1024; b++)
        {
            runs.Clear();
            int runStart = cpos;
            for (int i = 0; i < 1024; i++)
            {
                if (cpos + line.Length > 65536) { runs.Add(chunks[ci].AsMemory(runStart, cpos - runStart)); ci = (ci + 1) % chunks.Length; cpos = 0; runStart = 0; }
                line.CopyTo(chunks[ci].AsSpan(cpos)); cpos += line.Length;
            }
            runs.Add(chunks[ci].AsMemory(runStart, cpos - runStart));
            long total = 0; foreach (var r in runs) total += r.Length;
            RandomAccess.Write(fs.SafeFileHandle, runs, offset); offset += total;
        }
        long cpu = ThreadCpuNs() - cpuStart;
        Console.WriteLine($"{name,-15} {cpu / (double)lines,6:F1} ns CPU/line  {sw.Elapsed.TotalNanoseconds / lines,6:F1} ns wall/line");
        fs.Dispose(); File.Delete(path);
    }
    [System.Runtime.InteropServices.DllImport("libc")] static extern int clock_gettime(int id, out Timespec ts);
    struct Timespec { public long Sec, Nsec; }
    static long ThreadCpuNs() { clock_gettime(3, out var ts); return ts.Sec * 1_000_000_000 + ts.Nsec; }
}
