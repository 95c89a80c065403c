using System.Diagnostics;
using System.Text.Json;
using StructuredLog.Sinks.File.Tests.Support;

namespace StructuredLog.Sinks.File.Tests;

public sealed class CrashTests
{
    private static string ChildDll()
    {
        // tests/StructuredLog.Sinks.File.Tests/bin/<Configuration>/net10.0/ -> the child's own output folder
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        string tfm = here.Name, configuration = here.Parent!.Name;
        string testsDir = here.Parent.Parent!.Parent!.Parent!.FullName;
        string dll = Path.Combine(testsDir, "StructuredLog.Sinks.File.CrashChild", "bin", configuration, tfm, "StructuredLog.Sinks.File.CrashChild.dll");
        Assert.True(System.IO.File.Exists(dll), "build the crash child first: " + dll);
        return dll;
    }

    private static Process StartChild(string path, string run, long? count = null, bool shared = false)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ChildDll());
        psi.ArgumentList.Add(path);
        psi.ArgumentList.Add(run);
        if (count is { } c) psi.ArgumentList.Add(c.ToString());
        if (shared) psi.ArgumentList.Add("shared");
        return Process.Start(psi)!;
    }

    [Fact]
    public async Task After_SIGKILL_mid_write_every_complete_line_parses_and_the_next_run_appends_cleanly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("crash.log");
        using (var child = StartChild(path, "first"))
        {
            Assert.Equal("started", await child.StandardOutput.ReadLineAsync());
            // Kill once it has rolled at least once and is busy writing.
            await Wait.Until(() => new RolledFileSet(path).Find().Count >= 2, "the child rolled a file", 60_000);
            child.Kill(); // SIGKILL on Unix: no flush, no dispose
            await child.WaitForExitAsync();
        }
        var afterCrash = new RolledFileSet(path).Find();
        long firstRunEvents = 0;
        foreach (var f in afterCrash)
        {
            byte[] bytes;
            using (var content = FileSetReader.OpenDecompressed(f))
            using (var copy = new MemoryStream())
            {
                content.CopyTo(copy);
                bytes = copy.ToArray();
            }
            int lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
            var complete = System.Text.Encoding.UTF8.GetString(bytes, 0, lastNewline + 1).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in complete)
            {
                var e = JsonDocument.Parse(line).RootElement;
                Assert.Equal(firstRunEvents, e.GetProperty("N").GetInt64());
                firstRunEvents++;
            }
            // Only the newest file can have a partial last line.
            if (f != afterCrash[^1]) Assert.Equal(bytes.Length, lastNewline + 1);
        }
        Assert.True(firstRunEvents > 0);

        using (var child = StartChild(path, "second", 500))
        {
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(child.ExitCode == 0, await child.StandardError.ReadToEndAsync());
        }
        var events = FileSetReader.ParseAll(FileSetReader.ReadAllLines(path));
        var first = events.Where(e => e.GetProperty("Run").GetString() == "first").Select(e => e.GetProperty("N").GetInt64()).ToList();
        var second = events.Where(e => e.GetProperty("Run").GetString() == "second").Select(e => e.GetProperty("N").GetInt64()).ToList();
        Assert.Equal(firstRunEvents, first.Count); // the torn line, if any, is gone; nothing else is
        Assert.Equal(Enumerable.Range(0, (int)firstRunEvents).Select(i => (long)i), first);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), second);
        Assert.Equal(events.Count, first.Count + second.Count);
    }

    [Fact]
    public async Task Two_processes_in_shared_mode_write_one_set_without_losing_or_tearing_a_line()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shared.log");
        const int Count = 5000;
        using var a = StartChild(path, "a", Count, shared: true);
        using var b = StartChild(path, "b", Count, shared: true);
        await Task.WhenAll(a.WaitForExitAsync(), b.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(a.ExitCode == 0, await a.StandardError.ReadToEndAsync());
        Assert.True(b.ExitCode == 0, await b.StandardError.ReadToEndAsync());
        var set = new RolledFileSet(path).Find();
        Assert.True(set.Count >= 4, $"expected rolls, got {set.Count} files");
        var events = FileSetReader.ParseAll(set.SelectMany(FileSetReader.ReadLines));
        foreach (var run in new[] { "a", "b" })
        {
            var ns = events.Where(e => e.GetProperty("Run").GetString() == run).Select(e => e.GetProperty("N").GetInt64());
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), ns);
        }
        Assert.Equal(2 * Count, events.Count);
    }
}
