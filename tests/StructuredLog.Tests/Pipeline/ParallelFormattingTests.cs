using System.Text;
using StructuredLog.Formatting;
using StructuredLog.Sinks;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// With parallel formatting a second thread formats chunks of each batch for the batching sinks' JSON
/// formatter. What reaches the file must be exactly what the writer alone would have written, in order.
/// </summary>
public sealed class ParallelFormattingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Batching_sink_output_equals_serial_formatting_in_order(bool parallel)
    {
        const int Events = 20_000;
        var stream = new MemoryStream();
        var file = new StreamSink(stream, JsonFormatter.Default);
        // A separate formatter instance is never formatted ahead: it renders lazily on the writer thread.
        var serial = new CollectingSink(new JsonFormatter());
        await using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).ParallelFormatting(parallel)
            .WriteTo(file).WriteTo(serial).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Parallel");
            var failure = new InvalidOperationException("bad \"input\"\r\n");
            using (log.BeginScope("RequestId", "r-1"))
            {
                for (int i = 0; i < Events; i++)
                {
                    if (i % 100 == 0) log.Error(failure, "Failed {Seq} for {Who}", i, "customer-" + i);
                    else log.Info("Processed {Seq} in {Elapsed} ms for {Who}", i, i * 0.25, i % 7 == 0 ? "é\"\n" + i : "c" + i);
                }
            }
            await pipeline.FlushAsync();
        }
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = serial.Events.Select(e => e.Formatted!.TrimEnd('\n')).ToArray();
        Assert.Equal(Events, lines.Length);
        Assert.Equal(expected, lines);
        for (int i = 0; i < Events; i++) Assert.Contains($"\"Seq\":{i},", lines[i]);
    }
}
