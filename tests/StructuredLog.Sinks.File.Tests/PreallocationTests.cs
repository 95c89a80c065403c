using StructuredLog.Sinks.File.Tests.Support;
using StructuredLog.TestSupport.Files;

namespace StructuredLog.Sinks.File.Tests;

/// <summary>
/// In exclusive mode the active file has disk blocks reserved ahead of its end on Linux (<c>fallocate</c>
/// with <c>FALLOC_FL_KEEP_SIZE</c>); every file must hold exactly its lines, and the reservation must be
/// returned when a file is rolled away from or the sink is disposed. Shared mode reserves nothing (another
/// process appends to the same file). Checked with <c>stat</c>.
/// </summary>
public sealed class PreallocationTests
{
    private const long Slack = 64 * 1024; // what a file system may hold past the end without any reservation

    [Fact]
    public async Task The_active_file_is_reserved_ahead_and_rolled_and_closed_files_hold_only_their_lines()
    {
        if (!FileBlocks.Supported) return; // Linux-only; elsewhere the sink writes as before
        using var dir = new TempDirectory();
        string path = dir.File("app.log");
        var sink = new FileSink(new FileSinkOptions
        {
            Path = path, RollingInterval = RollingInterval.None, FileSizeLimitBytes = 256 * 1024,
            Compression = RolledFileCompression.None, RetainedFileCountLimit = null,
        });
        const int Count = 8_000; // ~1 MB: four or five files
        long reservedWhileOpen;
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Roll");
            for (int i = 0; i < 10; i++) log.Info("Event {N} with some padding text to fill the files a little faster", i);
            await pipeline.FlushAsync();
            reservedWhileOpen = FileBlocks.AllocatedBytes(path) - new FileInfo(path).Length;
            for (int i = 10; i < Count; i++) log.Info("Event {N} with some padding text to fill the files a little faster", i);
        }

        Assert.True(reservedWhileOpen >= FilePreallocation.Step - Slack,
            $"expected about {FilePreallocation.Step} bytes reserved past the end while open, found {reservedWhileOpen} ({FileBlocks.FileSystemOf(path)})");
        var files = new RolledFileSet(path).Find();
        Assert.True(files.Count >= 4, $"expected several files, got {files.Count}");
        foreach (var f in files)
        {
            var bytes = System.IO.File.ReadAllBytes(f.Path);
            Assert.DoesNotContain((byte)0, bytes);
            Assert.True(bytes.Length <= 256 * 1024, f.Path + " is over the limit");
            long past = FileBlocks.AllocatedBytes(f.Path) - bytes.Length;
            Assert.True(past < Slack, $"{f.Path}: {past} bytes still allocated past its end");
        }
        var ns = FileSetReader.ParseAll(FileSetReader.ReadAllLines(path)).Select(e => e.GetProperty("N").GetInt32());
        Assert.Equal(Enumerable.Range(0, Count), ns);
    }

    [Fact]
    public async Task Shared_mode_reserves_nothing()
    {
        if (!FileBlocks.Supported) return;
        using var dir = new TempDirectory();
        string path = dir.File("shared.log");
        var sink = new FileSink(new FileSinkOptions { Path = path, RollingInterval = RollingInterval.None, Shared = true });
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Shared");
        for (int i = 0; i < 10; i++) log.Info("Event {N}", i);
        await pipeline.FlushAsync();
        long past = FileBlocks.AllocatedBytes(path) - new FileInfo(path).Length;
        Assert.True(past < Slack, $"{past} bytes allocated past the end of a shared file");
    }
}
