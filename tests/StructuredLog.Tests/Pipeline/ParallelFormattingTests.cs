using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using StructuredLog.Events;
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

    /// <summary>Records which threads formatted; formats as JSON.</summary>
    private sealed class ThreadRecordingFormatter(bool concurrent) : ILogFormatter
    {
        public readonly ConcurrentDictionary<string, int> Threads = new();

        public bool SupportsConcurrentFormatting => concurrent;

        public void Format(in LogEvent logEvent, IBufferWriter<byte> output)
        {
            Threads.TryAdd(Thread.CurrentThread.Name ?? "unnamed", 0);
            JsonFormatter.Default.Format(logEvent, output);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Only_a_formatter_that_declares_concurrent_formatting_runs_off_the_writer_thread(bool concurrent)
    {
        var formatter = new ThreadRecordingFormatter(concurrent);
        await using var pipeline = new LogPipelineBuilder().ParallelFormatting(true)
            .WriteTo(new StreamSink(Stream.Null, formatter)).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Threads");
        // Batches of thousands of events: the worker joins them whenever it is allowed to (bounded: 20 s).
        var deadline = Stopwatch.StartNew();
        do
        {
            for (int i = 0; i < 5_000; i++) log.Info("Event {Seq} of {Who}", i, "w");
            await pipeline.FlushAsync();
        } while (concurrent && !formatter.Threads.ContainsKey("StructuredLog formatter") && deadline.Elapsed < TimeSpan.FromSeconds(20));
        if (concurrent) Assert.Contains("StructuredLog formatter", formatter.Threads.Keys);
        else Assert.Equal(["StructuredLog writer"], formatter.Threads.Keys);
    }
}
