using System.IO.Compression;
using System.Text;
using StructuredLog.Cli;
using StructuredLog.Formatting.MessagePack.Tests.Support;
using StructuredLog.Sinks.File;

namespace StructuredLog.Formatting.MessagePack.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "slog-cli-tests", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string ReadSetAsText(string path)
    {
        var text = new StringBuilder();
        foreach (var f in new RolledFileSet(path).Find())
        {
            using Stream raw = File.OpenRead(f.Path);
            using Stream s = f.Compression == RolledFileCompression.Gzip ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            text.Append(new StreamReader(s, Encoding.UTF8).ReadToEnd());
        }
        return text.ToString();
    }

    private async Task WriteBoth(int count, RolledFileCompression compression, bool expectRolls = true)
    {
        FileSinkOptions Options(string name, Formatting.ILogFormatter formatter, long limit) => new()
        {
            Path = Path.Combine(_dir, name), Formatter = formatter, RollingInterval = RollingInterval.None,
            FileSizeLimitBytes = limit, Compression = compression, RetainedFileCountLimit = null,
        };
        var json = new FileSink(Options("app.jsonl", JsonFormatter.Default, 64 * 1024));
        var mpk = new FileSink(Options("app.mpk", new MessagePackFormatter(), 16 * 1024));
        await using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(json).WriteTo(mpk).Build())
        {
            var log = pipeline.GetLogger("Cli.Tests");
            for (int i = 0; i < count; i++)
            {
                using var scope = log.BeginScope("RequestId", $"req-{i}", "Attempt", i % 3);
                if (i % 50 == 0) log.Error(new InvalidOperationException("failed " + i), "Order {OrderId} failed for {@Customer}", i, new { Name = "c" + i, Tier = i % 4 });
                else log.Info("{Method} {Path} responded {StatusCode} in {Elapsed:F1} ms at {When}", "GET", "/orders/" + i, 200, i / 7.0, new DateTime(2026, 1, 1).AddSeconds(i));
            }
        }
        await json.WhenMaintenanceIdleAsync();
        await mpk.WhenMaintenanceIdleAsync();
        if (expectRolls) Assert.True(mpk.FilesRolled >= 3, "the MessagePack set should have rolled");
    }

    [Theory]
    [InlineData(RolledFileCompression.Gzip)]
    [InlineData(RolledFileCompression.Zstd)]
    public async Task Cat_converts_a_rolled_set_to_the_JSON_the_JSON_formatter_wrote(RolledFileCompression compression)
    {
        await WriteBoth(3000, compression);
        var expected = compression == RolledFileCompression.Gzip ? ReadSetAsText(Path.Combine(_dir, "app.jsonl")) : null;
        if (expected is null)
        {
            // zstd: read the JSON set through slog too (JSON lines pass through unchanged).
            var passthrough = new StringWriter();
            Assert.Equal(0, await SlogCommand.RunAsync(["cat", Path.Combine(_dir, "app.jsonl")], passthrough, TextWriter.Null, default));
            expected = passthrough.ToString();
        }
        Assert.Equal(3000, expected.Count(c => c == '\n'));

        var byName = new StringWriter();
        Assert.Equal(0, await SlogCommand.RunAsync(["cat", "--format", "json", Path.Combine(_dir, "app.mpk")], byName, TextWriter.Null, default));
        Assert.Equal(expected, byName.ToString());

        // Files given one by one, in the order a shell would expand app*.mpk*, come out in roll order too.
        var files = Directory.GetFiles(_dir, "app*.mpk*").Where(f => !f.EndsWith(".lock")).Order(StringComparer.Ordinal).ToList();
        var byFiles = new StringWriter();
        Assert.Equal(0, await SlogCommand.RunAsync(["cat", .. files], byFiles, TextWriter.Null, default));
        Assert.Equal(expected, byFiles.ToString());
    }

    [Fact]
    public async Task Cat_as_text_prints_one_line_per_event_and_indents_exceptions()
    {
        await WriteBoth(200, RolledFileCompression.Gzip, expectRolls: false);
        var output = new StringWriter();
        Assert.Equal(0, await SlogCommand.RunAsync(["cat", "--format", "text", Path.Combine(_dir, "app.mpk")], output, TextWriter.Null, default));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(200, lines.Count(l => l.Contains(" [INF] Cli.Tests: ") || l.Contains(" [ERR] Cli.Tests: ")));
        Assert.Contains(lines, l => l.Contains("[INF] Cli.Tests: GET /orders/1 responded 200 in 0.1 ms"));
        Assert.Contains(lines, l => l.StartsWith("    System.InvalidOperationException: failed 50"));
    }

    [Fact]
    public async Task Bad_arguments_and_foreign_files_give_an_error_not_a_crash()
    {
        var err = new StringWriter();
        Assert.Equal(2, await SlogCommand.RunAsync(["cat", "--format", "xml", "x"], TextWriter.Null, err, default));
        Assert.Equal(1, await SlogCommand.RunAsync(["cat", Path.Combine(_dir, "missing.mpk")], TextWriter.Null, err, default));
        string bin = Path.Combine(_dir, "garbage.mpk");
        File.WriteAllBytes(bin, [0x93, 0x07, 0xc1, 0xc1]);
        Assert.Equal(1, await SlogCommand.RunAsync(["cat", bin], TextWriter.Null, err, default));
        Assert.Contains("slog:", err.ToString());
    }

    [Fact]
    public async Task Follow_prints_events_as_they_are_written_across_rolls()
    {
        string path = Path.Combine(_dir, "live.mpk");
        var sink = new FileSink(new FileSinkOptions
        {
            Path = path, Formatter = new MessagePackFormatter(), RollingInterval = RollingInterval.None, FileSizeLimitBytes = 4096,
            Compression = RolledFileCompression.Gzip, RetainedFileCountLimit = null, FlushInterval = TimeSpan.FromMilliseconds(10),
        });
        var output = new LockedStringWriter();
        using var stop = new CancellationTokenSource();
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Live");
        log.Info("Live {N}", 0);
        await pipeline.FlushAsync();
        var follow = Task.Run(() => SlogCommand.RunAsync(["cat", "--follow", "--poll-ms", "20", path], output, TextWriter.Null, stop.Token));
        const int Count = 600;
        for (int i = 1; i < Count; i++)
        {
            log.Info("Live {N}", i);
            if (i % 50 == 0) await pipeline.FlushAsync();
        }
        await pipeline.FlushAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (output.Snapshot().Count(c => c == '\n') < Count && DateTime.UtcNow < deadline) await Task.Delay(20);
        stop.Cancel();
        Assert.Equal(0, await follow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(sink.FilesRolled >= 3, $"rolled {sink.FilesRolled}");
        var ns = output.Snapshot().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, Count), ns);
    }

    [Fact]
    public void A_plain_file_compressed_after_listing_is_read_from_its_compressed_copy()
    {
        // The race CI hit: the set listed live.001.mpk, the sink compressed it to live.001.mpk.gz, then the reader opened it.
        string plain = Path.Combine(_dir, "live.001.mpk");
        using (var gz = new GZipStream(File.Create(plain + ".gz"), CompressionLevel.Fastest)) gz.Write("abc"u8);
        string path = plain;
        using (var stream = SlogCommand.OpenCurrent(ref path))
        {
            Assert.Equal(plain + ".gz", path);
            Assert.Equal("abc", new StreamReader(stream).ReadToEnd());
        }
        string missing = Path.Combine(_dir, "gone.mpk");
        Assert.Throws<FileNotFoundException>(() => SlogCommand.OpenCurrent(ref missing));
        Assert.Equal(Path.Combine(_dir, "gone.mpk"), missing);
    }
}
