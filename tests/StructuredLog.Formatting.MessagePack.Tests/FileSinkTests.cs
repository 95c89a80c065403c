using StructuredLog.Sinks.File;

namespace StructuredLog.Formatting.MessagePack.Tests;

public sealed class FileSinkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "slog-mpk-file-tests", Guid.NewGuid().ToString("N"));

    public FileSinkTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private async Task<FileSink> Write(string path, int from, int count)
    {
        var sink = new FileSink(new FileSinkOptions { Path = path, Formatter = new MessagePackFormatter(), RollingInterval = RollingInterval.None });
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Mpk");
        for (int i = from; i < from + count; i++) log.Info("Event {N} of {Run}", i, from);
        return sink;
    }

    [Fact]
    public async Task A_torn_binary_tail_is_cut_and_a_restarted_process_appends_readable_records()
    {
        string path = Path.Combine(_dir, "app.mpk");
        await Write(path, 0, 100);
        long intact = new FileInfo(path).Length;
        // A crash mid-record: the start of an event array, cut short.
        byte[] torn = [0x9d, 0x01, 0xd7, 0xff, 0x00, 0x01];
        using (var f = new FileStream(path, FileMode.Append)) f.Write(torn);

        var second = await Write(path, 100, 50); // a new process: new symbol ids, redefined in the file
        Assert.Equal(torn.Length, second.TornBytesRepaired);
        using var stream = File.OpenRead(path);
        var records = MessagePackLogReader.ReadAll(stream).ToList();
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (object)(long)i), records.Select(r => r.Properties[0].Value));
        Assert.All(records, r => Assert.Equal("Event {N} of {Run}", r.Template));
        Assert.True(new FileInfo(path).Length > intact);
    }

    [Fact]
    public async Task A_file_starts_with_the_format_header()
    {
        string path = Path.Combine(_dir, "h.mpk");
        await Write(path, 0, 1);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal(0x02, bytes[1]);
        Assert.Contains("StructuredLog.MessagePack", System.Text.Encoding.ASCII.GetString(bytes, 0, 40));
    }
}
