using System.Text;
using StructuredLog.Sinks.File.Tests.Support;

namespace StructuredLog.Sinks.File.Tests;

public sealed class SafetyTests
{
    [Fact]
    public async Task A_torn_tail_is_cut_on_open_and_the_sink_appends_cleanly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.log");
        string intact = "{\"n\":1}\n{\"n\":2}\n";
        string torn = "{\"n\":3,\"half";
        System.IO.File.WriteAllText(path, intact + torn);
        var sink = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None });
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build()) pipeline.GetLogger("T").Info("after {N}", 4);
        var lines = System.IO.File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Equal("{\"n\":1}", lines[0]);
        Assert.Equal("{\"n\":2}", lines[1]);
        Assert.Equal(4, FileSetReader.ParseAll([lines[2]])[0].GetProperty("N").GetInt32());
        Assert.Equal(Encoding.UTF8.GetByteCount(torn), sink.TornBytesRepaired);
    }

    [Fact]
    public async Task A_file_without_any_complete_line_is_emptied_before_appending()
    {
        using var dir = new TempDirectory();
        string path = dir.File("e.log");
        System.IO.File.WriteAllText(path, "{\"partial");
        var sink = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None });
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build()) pipeline.GetLogger("T").Info("only");
        var lines = System.IO.File.ReadAllLines(path);
        Assert.Single(lines);
        Assert.Equal("only", FileSetReader.ParseAll(lines)[0].GetProperty("@m").GetString());
    }

    [Fact]
    public async Task New_files_get_0640_permissions_on_unix_whatever_the_umask()
    {
        if (OperatingSystem.IsWindows()) return; // Unix permissions only
        using var dir = new TempDirectory();
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("p.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 500, Compression = RolledFileCompression.Gzip,
        });
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            for (int i = 0; i < 20; i++) pipeline.GetLogger("P").Info("permissions {N} padding padding padding", i);
        }
        await sink.WhenMaintenanceIdleAsync();
        var files = sink.FileSet.Find();
        Assert.Contains(files, f => f.Compression == RolledFileCompression.Gzip);
        var expected = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        foreach (var f in files) Assert.Equal(expected, System.IO.File.GetUnixFileMode(f.Path));
    }

    [Fact]
    public async Task A_configured_mode_is_applied_exactly()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var sink = new FileSink(new FileSinkOptions { Path = dir.File("q.log"), RollingInterval = RollingInterval.None, UnixFileMode = mode });
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build()) pipeline.GetLogger("P").Info("x");
        Assert.Equal(mode, System.IO.File.GetUnixFileMode(dir.File("q.log")));
    }

    [Fact]
    public async Task Exclusive_mode_gives_a_second_writer_a_clear_error_or_its_own_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.log");
        var first = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None });
        var error = Assert.Throws<IOException>(() => new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None, OnLockConflict = FileLockConflict.Throw }));
        Assert.Contains("in use by another writer", error.Message);
        Assert.Contains("x.log.lock", error.Message);
        var shared = Assert.Throws<IOException>(() => new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None, Shared = true }));
        Assert.Contains("Shared mode cannot join", shared.Message);

        var second = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None });
        Assert.Equal("x_" + Environment.ProcessId, second.FileSet.BaseName);
        await using (var p1 = new LogPipelineBuilder().WriteTo(first).Build())
        await using (var p2 = new LogPipelineBuilder().WriteTo(second).Build())
        {
            p1.GetLogger("A").Info("first");
            p2.GetLogger("B").Info("second");
        }
        Assert.Equal("first", FileSetReader.ParseAll(System.IO.File.ReadAllLines(path))[0].GetProperty("@m").GetString());
        Assert.Equal("second", FileSetReader.ParseAll(System.IO.File.ReadAllLines(dir.File($"x_{Environment.ProcessId}.log")))[0].GetProperty("@m").GetString());

        // Once the first writer is gone the path is free again.
        var third = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None, OnLockConflict = FileLockConflict.Throw });
        await third.DisposeAsync();
    }

    [Fact]
    public async Task Shared_mode_writers_interleave_whole_lines_and_follow_each_others_rolls()
    {
        using var dir = new TempDirectory();
        string path = dir.File("sh.log");
        FileSinkOptions Options() => new()
        {
            Path = path, RollingInterval = RollingInterval.None, Shared = true, FileSizeLimitBytes = 8000,
            Compression = RolledFileCompression.Gzip, RetainedFileCountLimit = null, FlushInterval = TimeSpan.FromMilliseconds(5),
        };
        var a = new FileSink(Options());
        var b = new FileSink(Options());
        await using (var pa = new LogPipelineBuilder().WriteTo(a).Build())
        await using (var pb = new LogPipelineBuilder().WriteTo(b).Build())
        {
            var la = pa.GetLogger("A");
            var lb = pb.GetLogger("B");
            var ta = Task.Run(async () => { for (int i = 0; i < 1000; i++) { la.Info("A {N}", i); if (i % 100 == 0) await pa.FlushAsync(); } });
            var tb = Task.Run(async () => { for (int i = 0; i < 1000; i++) { lb.Info("B {N}", i); if (i % 100 == 0) await pb.FlushAsync(); } });
            await Task.WhenAll(ta, tb);
        }
        await a.WhenMaintenanceIdleAsync();
        await b.WhenMaintenanceIdleAsync();
        var set = new RolledFileSet(path).Find();
        Assert.True(set.Count > 3);
        var events = FileSetReader.ParseAll(set.SelectMany(FileSetReader.ReadLines));
        foreach (var who in new[] { "A", "B" })
        {
            var ns = events.Where(e => e.GetProperty("@c").GetString() == who).Select(e => e.GetProperty("N").GetInt32()).ToList();
            Assert.Equal(Enumerable.Range(0, 1000), ns);
        }
        Assert.All(set, f => Assert.True(f.Compression != RolledFileCompression.None || f == set[^1], f.Path + " was left uncompressed"));
    }
}
