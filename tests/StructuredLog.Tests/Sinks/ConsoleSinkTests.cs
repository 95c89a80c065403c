using System.Text;
using StructuredLog.Formatting;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Sinks;

public sealed class ConsoleSinkTests
{
    [Fact]
    public async Task Events_reach_the_output_stream_in_order_by_the_time_a_flush_completes()
    {
        var output = new MemoryStream();
        var sink = new ConsoleSink(new LogfmtFormatter(), output: output);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Console");
        for (int i = 0; i < 2_000; i++) log.Info("n={N}", i);
        await pipeline.FlushAsync();

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2_000, lines.Length);
        for (int i = 0; i < lines.Length; i++) Assert.Contains($"N={i} ", lines[i] + " ");
        Assert.Equal(2_000, sink.EventsWritten);
    }
}
