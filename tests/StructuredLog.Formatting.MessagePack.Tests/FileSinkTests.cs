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
    public async Task Formatted_by_two_threads_a_file_reads_back_as_the_serial_JSON_in_order()
    {
        // The MessagePack formatter declares concurrent formatting: the pipeline's format worker formats
        // its events while the writer reads the ring. Symbols are numbered by whichever thread meets them
        // first; each record carries its definitions, so the file must read back exactly as the JSON
        // formatter renders the same events lazily on the writer (a separate instance: never formatted ahead).
        const int Events = 20_000;
        string path = Path.Combine(_dir, "parallel.mpk");
        var formatter = new MessagePackFormatter();
        Assert.True(((ILogFormatter)formatter).SupportsConcurrentFormatting);
        var file = new FileSink(new FileSinkOptions { Path = path, Formatter = formatter, RollingInterval = RollingInterval.None });
        var serial = new Support.CapturingSink(new JsonFormatter());
        await using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).ParallelFormatting(true)
            .WriteTo(file).WriteTo(serial).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Parallel.Mpk");
            for (int i = 0; i < Events; i++)
            {
                using var scope = log.BeginScope("Request" + (i % 97), i);
                if (i % 100 == 0) log.Error(new InvalidOperationException("failed " + i), "Failed {Seq} as {Name" + (i % 13) + "}", i, "n" + i);
                else log.Info("Processed {Seq} in {Elapsed} ms for {Who" + (i % 31) + "}", i, i * 0.25, "c" + i);
            }
        }
        var expected = serial.Events.Select(e => System.Text.Encoding.UTF8.GetString(e[0]).TrimEnd('\n')).ToList();
        var actual = Support.Conversion.ToJsonLines(File.ReadAllBytes(path)).Select(l => l.TrimEnd('\n')).ToList();
        Assert.Equal(Events, actual.Count);
        int firstDiff = Enumerable.Range(0, Events).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(firstDiff < 0, firstDiff < 0 ? "" : $"event {firstDiff}:\n{expected[firstDiff]}\n{actual[firstDiff]}");
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
