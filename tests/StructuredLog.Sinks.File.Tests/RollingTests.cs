using System.Text.Json;
using StructuredLog.Sinks.File.Tests.Support;

namespace StructuredLog.Sinks.File.Tests;

public sealed class RollingTests
{
    private static LogPipeline Pipeline(FileSink sink) => new LogPipelineBuilder().WriteTo(sink).Build();

    [Fact]
    public async Task Size_limit_starts_numbered_files_and_no_file_exceeds_it()
    {
        using var dir = new TempDirectory();
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("app.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 4096,
            Compression = RolledFileCompression.None, RetainedFileCountLimit = null,
        });
        await using (var pipeline = Pipeline(sink))
        {
            var log = pipeline.GetLogger("Roll");
            for (int i = 0; i < 500; i++) log.Info("Event {N} with some padding text", i);
        }
        var files = new RolledFileSet(dir.File("app.log")).Find();
        Assert.True(files.Count > 5, $"expected several files, got {files.Count}");
        Assert.Equal(dir.File("app.log"), files[0].Path);
        Assert.Equal(dir.File("app.001.log"), files[1].Path);
        Assert.All(files, f => Assert.True(new FileInfo(f.Path).Length <= 4096, f.Path + " is over the limit"));
        var ns = FileSetReader.ParseAll(FileSetReader.ReadAllLines(dir.File("app.log"))).Select(e => e.GetProperty("N").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 500), ns);
        Assert.Equal(files.Count - 1, sink.FilesRolled);
    }

    [Fact]
    public async Task Time_rolling_follows_the_injected_clock_and_names_files_by_period()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 25, 22, 59, 0, TimeSpan.Zero));
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("svc.log"), RollingInterval = RollingInterval.Hour, Clock = clock,
            Compression = RolledFileCompression.Gzip, FileSizeLimitBytes = null,
        });
        await using (var pipeline = Pipeline(sink))
        {
            var log = pipeline.GetLogger("Clock");
            for (int hour = 0; hour < 3; hour++)
            {
                for (int i = 0; i < 10; i++) log.Info("Hour {Hour} event {N}", hour, i);
                await pipeline.FlushAsync();
                clock.Advance(TimeSpan.FromHours(1));
            }
        }
        await sink.WhenMaintenanceIdleAsync();
        var names = Directory.GetFiles(dir.Path).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["svc-2026112522.log.gz", "svc-2026112523.log.gz", "svc-2026112600.log", "svc.log.lock"], names);
        var set = new RolledFileSet(dir.File("svc.log")).Find();
        for (int hour = 0; hour < 3; hour++)
        {
            var events = FileSetReader.ParseAll(FileSetReader.ReadLines(set[hour]));
            Assert.Equal(10, events.Count);
            Assert.All(events, e => Assert.Equal(hour, e.GetProperty("Hour").GetInt32()));
        }
        Assert.Equal(2, sink.FilesCompressed);
    }

    [Fact]
    public async Task Daily_rolling_in_local_time_uses_the_local_date()
    {
        using var dir = new TempDirectory();
        var utc = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(utc);
        var sink = new FileSink(new FileSinkOptions { Path = dir.File("d.log"), UseLocalTime = true, Clock = clock });
        await using (var pipeline = Pipeline(sink)) pipeline.GetLogger("x").Info("one");
        string expected = "d-" + utc.ToLocalTime().ToString("yyyyMMdd") + ".log";
        Assert.True(System.IO.File.Exists(dir.File(expected)), expected);
    }

    [Fact]
    public async Task A_restart_does_not_reopen_a_file_that_is_already_full()
    {
        using var dir = new TempDirectory();
        System.IO.File.WriteAllText(dir.File("f.log"), new string('x', 999) + "\n");
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("f.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 1000, Compression = RolledFileCompression.None,
        });
        await using (var pipeline = Pipeline(sink)) pipeline.GetLogger("F").Info("next");
        Assert.Equal(1000, new FileInfo(dir.File("f.log")).Length);
        Assert.Equal("next", FileSetReader.ParseAll(System.IO.File.ReadAllLines(dir.File("f.001.log")))[0].GetProperty("@m").GetString());
    }

    [Fact]
    public async Task A_restart_in_a_new_period_compresses_the_previous_periods_file()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        FileSinkOptions Options() => new() { Path = dir.File("p.log"), Clock = clock, RollingInterval = RollingInterval.Day };
        var first = new FileSink(Options());
        await using (var pipeline = Pipeline(first)) pipeline.GetLogger("P").Info("day one");
        clock.Advance(TimeSpan.FromDays(1));
        var second = new FileSink(Options());
        await using (var pipeline = Pipeline(second)) pipeline.GetLogger("P").Info("day two");
        await second.WhenMaintenanceIdleAsync();
        Assert.True(System.IO.File.Exists(dir.File("p-20261124.log.gz")));
        Assert.False(System.IO.File.Exists(dir.File("p-20261124.log")));
        Assert.True(System.IO.File.Exists(dir.File("p-20261125.log")));
        Assert.Equal(["day one", "day two"], FileSetReader.ParseAll(FileSetReader.ReadAllLines(dir.File("p.log"))).Select(e => e.GetProperty("@m").GetString()));
    }

    [Theory]
    [InlineData(RolledFileCompression.Gzip, ".gz")]
    [InlineData(RolledFileCompression.Zstd, ".zst")]
    public async Task Rolled_files_decompress_to_exactly_the_lines_written(RolledFileCompression compression, string extension)
    {
        using var dir = new TempDirectory();
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("c.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 20_000,
            Compression = compression, RetainedFileCountLimit = null,
        });
        var expected = new List<string>();
        await using (var pipeline = Pipeline(sink))
        {
            var log = pipeline.GetLogger("Zip");
            for (int i = 0; i < 2000; i++) log.Info("Line {N} \u00e9\u4e2d \"quoted\" {Guid}", i, new Guid(i, 0, 0, new byte[8]));
        }
        await sink.WhenMaintenanceIdleAsync();
        var files = new RolledFileSet(dir.File("c.log")).Find();
        Assert.True(files.Count >= 3);
        Assert.All(files.Take(files.Count - 1), f => Assert.Equal(compression, f.Compression));
        Assert.All(files.Take(files.Count - 1), f => Assert.EndsWith(extension, f.Path));
        Assert.Equal(RolledFileCompression.None, files[^1].Compression);
        var lines = files.SelectMany(FileSetReader.ReadLines).ToList();
        Assert.Equal(2000, lines.Count);
        var parsed = FileSetReader.ParseAll(lines);
        for (int i = 0; i < 2000; i++)
        {
            Assert.Equal(i, parsed[i].GetProperty("N").GetInt32());
            Assert.Equal($"Line {i} \u00e9\u4e2d \"quoted\" {new Guid(i, 0, 0, new byte[8])}", parsed[i].GetProperty("@m").GetString());
        }
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), p => p.EndsWith(".tmp"));
    }

    [Fact]
    public async Task Retention_by_count_keeps_the_newest_files()
    {
        using var dir = new TempDirectory();
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("r.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 2000,
            Compression = RolledFileCompression.None, RetainedFileCountLimit = 3,
        });
        await using (var pipeline = Pipeline(sink))
        {
            var log = pipeline.GetLogger("Ret");
            for (int i = 0; i < 300; i++) log.Info("Retained {N} padding padding padding", i);
        }
        await sink.WhenMaintenanceIdleAsync();
        var files = new RolledFileSet(dir.File("r.log")).Find();
        Assert.Equal(3, files.Count);
        Assert.True(sink.FilesRolled >= 5);
        Assert.Equal(sink.FilesRolled + 1 - 3, sink.FilesDeleted);
        // What is left is the tail of the stream, contiguous and ending with the last event.
        var ns = FileSetReader.ParseAll(files.SelectMany(FileSetReader.ReadLines)).Select(e => e.GetProperty("N").GetInt32()).ToList();
        Assert.Equal(299, ns[^1]);
        Assert.Equal(Enumerable.Range(ns[0], ns.Count), ns);
    }

    [Fact]
    public async Task Retention_by_total_size_and_age_deletes_the_oldest_rolled_files()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("s.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 1000,
            Compression = RolledFileCompression.None, RetainedFileCountLimit = null, RetainedTotalBytesLimit = 3000, Clock = clock,
        });
        await using (var pipeline = Pipeline(sink))
        {
            var log = pipeline.GetLogger("Size");
            for (int i = 0; i < 200; i++) log.Info("Sized {N} padding padding padding", i);
        }
        await sink.WhenMaintenanceIdleAsync();
        var files = new RolledFileSet(dir.File("s.log")).Find();
        Assert.True(files.Sum(f => new FileInfo(f.Path).Length) <= 3000);
        Assert.True(files.Count >= 3);

        // Age: the clock moves a day on; the next sink's start-up retention removes all but the newest file.
        foreach (var f in files) System.IO.File.SetLastWriteTimeUtc(f.Path, new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc));
        clock.Advance(TimeSpan.FromDays(1));
        var aged = new FileSink(new FileSinkOptions
        {
            Path = dir.File("s.log"), RollingInterval = RollingInterval.None, RetainedFileAgeLimit = TimeSpan.FromHours(12),
            Compression = RolledFileCompression.None, Clock = clock,
        });
        await aged.WhenMaintenanceIdleAsync();
        await aged.DisposeAsync();
        Assert.Single(new RolledFileSet(dir.File("s.log")).Find());
        Assert.Equal(files.Count - 1, aged.FilesDeleted);
    }

    [Fact]
    public async Task A_million_events_across_rolls_arrive_in_order_none_lost_none_duplicated()
    {
        using var dir = new TempDirectory();
        const int Count = 1_000_000;
        var formatter = new StructuredLog.Formatting.JsonFormatter(includeRenderedMessage: false, includeTemplate: false);
        var sink = new FileSink(new FileSinkOptions
        {
            Path = dir.File("m.log"), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 8L * 1024 * 1024,
            Compression = RolledFileCompression.None, RetainedFileCountLimit = null, QueueLimit = Count, Formatter = formatter,
        });
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).BufferSize(65536).Build())
        {
            var log = pipeline.GetLogger("M");
            for (int i = 0; i < Count; i++) log.Info("{N}", i);
        }
        Assert.Equal(Count, sink.EventsWritten);
        Assert.Equal(0, sink.EventsDropped);
        var files = sink.FileSet.Find();
        Assert.True(files.Count >= 3, $"only {files.Count} files");
        long expected = 0;
        foreach (var f in files)
        {
            foreach (var line in System.IO.File.ReadLines(f.Path))
            {
                int at = line.IndexOf("\"N\":", StringComparison.Ordinal);
                Assert.True(at >= 0, line);
                long n = long.Parse(line.AsSpan(at + 4, line.Length - at - 5));
                Assert.Equal(expected, n);
                expected++;
            }
        }
        Assert.Equal(Count, expected);
    }
}
