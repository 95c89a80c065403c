using System.Text;
using System.Text.Json;
using StructuredLog.Sinks;
using StructuredLog.TestSupport.Files;

namespace StructuredLog.Tests.Sinks;

/// <summary>
/// A file sink opened from a path reserves disk blocks ahead of its end on Linux (<c>fallocate</c> with
/// <c>FALLOC_FL_KEEP_SIZE</c>): the file's length and content must be exactly what was written, the
/// reservation must exist while the file is open, and it must be returned when the sink is disposed.
/// Checked with <c>stat</c> on the test's temp directory (ext4, xfs, btrfs and tmpfs all take the call).
/// </summary>
public sealed class FilePreallocationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "slog-prealloc-" + Guid.NewGuid().ToString("N"));

    public FilePreallocationTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_stream_sink_file_is_reserved_ahead_while_open_and_holds_only_its_lines_after_dispose()
    {
        if (!FileBlocks.Supported) return; // the reservation is Linux-only; elsewhere the sink writes as before
        string path = Path.Combine(_dir, "app.log");
        var sink = new StreamSink(path);
        const int Count = 20_000; // ~4 MB
        long reservedWhileOpen, lengthWhileOpen;
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Orders");
            // The first write reserves a step past its own end: with a few lines written, nearly a step is left.
            for (int i = 0; i < 10; i++) log.Info("Processed order {Id} in {Ms} ms for {Customer}", i, i * 0.25, "customer-" + i);
            await pipeline.FlushAsync();
            lengthWhileOpen = new FileInfo(path).Length;
            reservedWhileOpen = FileBlocks.AllocatedBytes(path) - lengthWhileOpen;
            // Then several steps' worth, so that writes pass the reserved end again and again.
            for (int i = 10; i < Count; i++) log.Info("Processed order {Id} in {Ms} ms for {Customer}", i, i * 0.25, "customer-" + i);
        }

        Assert.True(reservedWhileOpen >= FilePreallocation.Step - 64 * 1024,
            $"expected about {FilePreallocation.Step} bytes reserved past the end while open, found {reservedWhileOpen} ({FileBlocks.FileSystemOf(path)})");
        var bytes = File.ReadAllBytes(path);
        Assert.True(lengthWhileOpen < 4096, $"{lengthWhileOpen} bytes for ten lines"); // the reservation never shows up as length
        Assert.DoesNotContain((byte)0, bytes);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        Assert.Equal(Count + 1, lines.Length);
        Assert.Equal("", lines[^1]);
        for (int i = 0; i < Count; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, doc.RootElement.GetProperty("Id").GetInt32());
        }
        long afterDispose = FileBlocks.AllocatedBytes(path) - bytes.Length;
        Assert.True(afterDispose < 64 * 1024, $"{afterDispose} bytes still allocated past the end after dispose");
    }

    [Fact]
    public async Task A_file_opened_again_keeps_its_lines_and_appends_after_them()
    {
        if (!FileBlocks.Supported) return;
        string path = Path.Combine(_dir, "again.log");
        for (int round = 0; round < 3; round++)
        {
            await using var pipeline = new LogPipelineBuilder().WriteTo(new StreamSink(path)).FlushOnProcessExit(false).Build();
            var log = pipeline.GetLogger("Orders");
            for (int i = 0; i < 1_000; i++) log.Info("Round {Round} event {Id}", round, i);
        }
        var lines = File.ReadAllLines(path);
        Assert.Equal(3_000, lines.Length);
        for (int n = 0; n < lines.Length; n++)
        {
            using var doc = JsonDocument.Parse(lines[n]);
            Assert.Equal(n / 1_000, doc.RootElement.GetProperty("Round").GetInt32());
            Assert.Equal(n % 1_000, doc.RootElement.GetProperty("Id").GetInt32());
        }
        Assert.True(FileBlocks.AllocatedBytes(path) - new FileInfo(path).Length < 64 * 1024);
    }

    [Fact]
    public void Reservations_are_made_only_when_a_write_passes_the_reserved_end_and_never_change_the_length()
    {
        if (!FileBlocks.Supported) return;
        string path = Path.Combine(_dir, "direct.log");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        var reservation = FilePreallocation.For(file.SafeFileHandle);
        Assert.NotNull(reservation);

        reservation.BeforeWrite(0, 100);
        Assert.Equal(100 + FilePreallocation.Step, reservation.ReservedEnd);
        file.Write(new byte[100]);
        reservation.BeforeWrite(100, FilePreallocation.Step - 1); // still inside: no new call
        Assert.Equal(100 + FilePreallocation.Step, reservation.ReservedEnd);
        reservation.BeforeWrite(100, FilePreallocation.Step + 1); // passes the end by one byte
        Assert.Equal(100 + 2 * FilePreallocation.Step + 1, reservation.ReservedEnd);
        Assert.Equal(100, new FileInfo(path).Length);
        Assert.True(FileBlocks.AllocatedBytes(path) >= 2 * FilePreallocation.Step);

        reservation.Release();
        Assert.Equal(0, reservation.ReservedEnd);
        Assert.Equal(100, new FileInfo(path).Length);
        Assert.True(FileBlocks.AllocatedBytes(path) <= 64 * 1024);
    }

    [Fact]
    public void A_device_that_refuses_is_left_alone_and_never_truncated()
    {
        if (!FileBlocks.Supported) return;
        using var devNull = new FileStream("/dev/null", FileMode.Open, FileAccess.Write);
        var reservation = FilePreallocation.For(devNull.SafeFileHandle);
        Assert.NotNull(reservation);
        reservation.BeforeWrite(0, 100);
        Assert.False(reservation.Active);
        Assert.Equal(0, reservation.ReservedEnd);
        reservation.BeforeWrite(0, 100); // no further attempt, no exception
        reservation.Release();
        devNull.Write("still writable\n"u8);
    }

    [Fact]
    public async Task A_stream_sink_on_a_device_writes_as_before()
    {
        if (!FileBlocks.Supported) return;
        var sink = new StreamSink("/dev/null");
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Orders");
            for (int i = 0; i < 1_000; i++) log.Info("Event {Id}", i);
        }
        Assert.Equal(1_000, sink.EventsWritten);
        Assert.Equal(0, sink.EventsDropped);
    }
}
