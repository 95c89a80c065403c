using System.Text;
using System.Text.Json;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Sinks;

/// <summary>
/// A stream sink on a seekable <see cref="FileStream"/> writes each batch in one gather write at the stream's position
/// and then moves the position past it: batch after batch, the file must hold every line once, in order, after what
/// was there before, and the stream must be left at the end for whoever owns it.
/// </summary>
public sealed class StreamSinkGatherTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "slog-gather-" + Guid.NewGuid().ToString("N"));

    public StreamSinkGatherTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Batches_of_many_blocks_follow_each_other_after_the_existing_content_and_leave_the_stream_at_the_end()
    {
        string path = Path.Combine(_dir, "app.log");
        File.WriteAllText(path, "existing line\n");
        const int Count = 6_000; // lines of ~230 bytes: batches of up to 1,024 events span several 64 KB blocks of the sink's queue
        await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0))
        {
            var sink = new StreamSink(stream, ownsStream: false);
            await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
            {
                var log = pipeline.GetLogger("Orders");
                for (int i = 0; i < Count / 2; i++) log.Info("Processed order {Id} for {Customer}", i, new string('c', 120));
                await pipeline.FlushAsync();
                Assert.Equal(new FileInfo(path).Length, stream.Position);
                for (int i = Count / 2; i < Count; i++) log.Info("Processed order {Id} for {Customer}", i, new string('c', 120));
            }
            Assert.True(sink.BatchesWritten > 2, $"{sink.BatchesWritten} batches");
            Assert.Equal(new FileInfo(path).Length, stream.Position);
            stream.Write("owner's line\n"u8);
        }

        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n');
        Assert.Equal(Count + 3, lines.Length);
        Assert.Equal("existing line", lines[0]);
        AssertEventsInOrder(lines, first: 1, Count);
        Assert.Equal("owner's line", lines[^2]);
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public async Task A_buffered_stream_keeps_what_its_owner_wrote_before_the_sink_did()
    {
        string path = Path.Combine(_dir, "buffered.log");
        const int Count = 3_000;
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024))
        {
            stream.Write("header written by the owner, still in the stream's buffer\n"u8);
            var sink = new StreamSink(stream, ownsStream: false);
            await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build())
            {
                var log = pipeline.GetLogger("Orders");
                for (int i = 0; i < Count; i++) log.Info("Processed order {Id} for {Customer}", i, new string('c', 120));
            }
        }

        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n');
        Assert.Equal(Count + 2, lines.Length);
        Assert.Equal("header written by the owner, still in the stream's buffer", lines[0]);
        AssertEventsInOrder(lines, first: 1, Count);
    }

    /// <summary>Lines [first, first + count) are the events 0..count-1, once each, in order.</summary>
    private static void AssertEventsInOrder(string[] lines, int first, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var doc = JsonDocument.Parse(lines[first + i]);
            Assert.Equal(i, doc.RootElement.GetProperty("Id").GetInt32());
        }
    }
}
