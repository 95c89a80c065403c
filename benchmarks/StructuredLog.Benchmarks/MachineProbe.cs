using System.Diagnostics;
using System.Runtime.InteropServices;

namespace StructuredLog.Benchmarks;

/// <summary>
/// <c>machine [--dir D] [--mb 512]</c>: measures the two states of the benchmark VM that move end-to-end
/// results while the code stays the same (docs/benchmarks-history.md, "Session 14: the machine's two slow states"):
/// <list type="number">
/// <item>how fast new page-cache pages can be written: a file of <c>--mb</c> MB written in 1 MB writes,
/// twice (the second pass right after deleting the first file, so it mostly reuses the pages the
/// first pass touched), with the memory the guest handed back to the host meanwhile (Linux free page
/// reporting, when the kernel has it);</item>
/// <item>how fast the CPU runs a fixed piece of this library's code: one event's JSON line
/// (the <c>CostBreakdown</c> benchmark's event), three windows of half a second after one of warm-up.</item>
/// </list>
/// Run it before and after a benchmark to know which state the numbers were taken in.
/// </summary>
public static class MachineProbe
{
    private const string Reporting = "/sys/module/page_reporting/parameters";

    public static int Run(string[] args)
    {
        string dir = CommandLine.Value(args, "--dir") ?? (Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath());
        int mb = int.Parse(CommandLine.Value(args, "--mb") ?? "512");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, load {LatencyHarness.LoadAverage()}");
        if (Directory.Exists(Reporting))
        {
            Console.WriteLine($"# free page reporting: order {Read("page_reporting_order")}, min_free_ms {Read("min_free_ms")}, {ReportedKib() / 1024 / 1024:N0} GiB reported since boot");
        }
        var buffer = new byte[1 << 20];
        buffer.AsSpan().Fill((byte)'x');
        for (int pass = 1; pass <= 2; pass++)
        {
            string path = Path.Combine(dir, $"sl-machine-{Environment.ProcessId}.bin");
            long reportedBefore = ReportedKib();
            var sw = Stopwatch.StartNew();
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                for (int i = 0; i < mb; i++) file.Write(buffer);
            }
            sw.Stop();
            long reportedAfter = ReportedKib();
            File.Delete(path);
            double bytesPerSecond = mb * (double)(1 << 20) / sw.Elapsed.TotalSeconds;
            Console.WriteLine($"page cache, pass {pass}: {mb} MB into {dir} at {bytesPerSecond / 1e9:F2} GB/s = {210e9 / bytesPerSecond:F0} ns per 210-byte line"
                + (reportedBefore >= 0 && reportedAfter >= 0 ? $", {(reportedAfter - reportedBefore) / 1024:N0} MB handed back to the host meanwhile" : ""));
        }
        var breakdown = new CostBreakdownBenchmarks();
        breakdown.Setup();
        for (int window = 0; window <= 3; window++)
        {
            long lines = 0;
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 500)
            {
                for (int i = 0; i < 10_000; i++) breakdown.FormatJson();
                lines += 10_000;
            }
            if (window > 0) Console.WriteLine($"cpu, window {window}: one JSON line in {sw.Elapsed.TotalNanoseconds / lines:F1} ns"); // window 0 warms the JIT up
        }
        return 0;
    }

    /// <summary>KiB reported to the host since boot, or -1 where the kernel does not say.</summary>
    private static long ReportedKib() => long.TryParse(Read("reported_kib"), out long kib) ? kib : -1;

    private static string Read(string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(Reporting, name)).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
