using System.Diagnostics;
using System.Text;
using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Pipeline;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// The writer and the format worker take chunks of one batch from a shared counter. Every event must be
/// formatted exactly once, with the text serial formatting gives, whoever took its chunk; and the writer
/// must finish a batch alone when the worker never comes.
/// </summary>
public sealed class FormatWorkerTests
{
    private static readonly MessageTemplate Template = MessageTemplate.Parse("Processed {Seq} in {Elapsed} ms for {Who}");

    private static LogEvent[] Events(int count, int batch, FormatArena writerArena)
    {
        var events = new LogEvent[count];
        for (int i = 0; i < count; i++)
        {
            var r = new EventRecord
            {
                TimestampTicks = new DateTime(2026, 11, 26, 4, 0, 0, DateTimeKind.Utc).Ticks + i * 1234L,
                Level = i % 10 == 0 ? LogLevel.Debug : LogLevel.Info,
                Category = "Worker",
                Template = Template,
                Arena = writerArena,
            };
            r.AddProperty(new LogProperty("Seq", LogValue.From(batch * 100_000 + i)));
            r.AddProperty(new LogProperty("Elapsed", LogValue.From(i * 0.25)));
            r.AddProperty(new LogProperty("Who", LogValue.From(i % 7 == 0 ? "é\"\n" + i : "c" + i)));
            r.ArgumentCount = r.PropertyCount;
            events[i] = new LogEvent(r);
        }
        return events;
    }

    private static string Serial(JsonFormatter formatter, in LogEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        formatter.Format(e, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Every_event_is_formatted_once_as_serial_formatting_would_whoever_takes_its_chunk()
    {
        var formatter = new JsonFormatter();
        var worker = new FormatWorker([(formatter, LogLevel.Info)]);
        try
        {
            var writerArena = new FormatArena();
            var sizes = new[] { 1, FormatWorker.Chunk - 1, FormatWorker.Chunk, FormatWorker.Chunk + 1, 64, 333, 1024 };
            var deadline = Stopwatch.StartNew();
            int batch = 0;
            // Run batches until the worker has taken chunks (on a busy machine it may wake late for many), at most 20 s.
            do
            {
                foreach (int size in sizes)
                {
                    var events = Events(size, batch++, writerArena);
                    worker.FormatBatch(events, size);
                    for (int i = 0; i < size; i++)
                    {
                        var r = events[i].Record;
                        if (r.Level < LogLevel.Info)
                        {
                            Assert.Equal(0, r.RenderedCount); // below the target's level: not formatted ahead
                            continue;
                        }
                        Assert.Equal(1, r.RenderedCount);
                        Assert.Same(formatter, r.RenderedFormatter);
                        var text = Encoding.UTF8.GetString(events[i].GetFormatted(formatter));
                        Assert.Equal(Serial(formatter, events[i]), text);
                    }
                    writerArena.Reset();
                    worker.ResetArena(abandoned: false);
                }
            } while (worker.WorkerChunks == 0 && deadline.Elapsed < TimeSpan.FromSeconds(20));
            Assert.True(worker.WorkerChunks > 0, "the worker thread never took a chunk in 20 s");
        }
        finally
        {
            worker.Stop();
        }
    }

    [Fact]
    public async Task The_writer_formats_the_whole_batch_when_the_worker_never_comes()
    {
        var formatter = new JsonFormatter();
        var worker = new FormatWorker([(formatter, LogLevel.Info)]);
        worker.Stop(); // the worker thread ends: every chunk is left to the writer
        var events = Events(500, 0, new FormatArena());
        var done = Task.Run(() => worker.FormatBatch(events, events.Length));
        Assert.Same(done, await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(30)))); // else the writer waited for a worker that had stopped
        Assert.All(events.Where(e => e.Level >= LogLevel.Info), e => Assert.Equal(1, e.Record.RenderedCount));
    }

    [Fact]
    public void The_worker_formats_a_batch_while_the_writer_is_still_reading_it_and_wakes_for_more()
    {
        var formatter = new JsonFormatter();
        var worker = new FormatWorker([(formatter, LogLevel.Info)]);
        try
        {
            var events = Events(FormatWorker.Chunk + FormatWorker.WakeAfter + 5, 0, new FormatArena());
            foreach (var e in events) e.Record.Level = LogLevel.Info;
            worker.Begin(events, FormatWorker.Chunk);
            // Before Finish: the worker takes the ready chunk on its own, then runs out and goes to sleep.
            Assert.True(SpinWait.SpinUntil(() => worker.WorkerChunks == 1 && worker.Sleeping, TimeSpan.FromSeconds(20)),
                $"worker chunks {worker.WorkerChunks}, sleeping {worker.Sleeping}");
            Assert.Equal(1, events[0].Record.RenderedCount);
            Assert.Equal(0, events[FormatWorker.Chunk].Record.RenderedCount);
            // One more chunk is not worth a wake-up (a system call per chunk); enough for several chunks is.
            worker.Extend(2 * FormatWorker.Chunk);
            Assert.True(worker.Sleeping);
            worker.Extend(FormatWorker.Chunk + FormatWorker.WakeAfter);
            int expected = 1 + FormatWorker.WakeAfter / FormatWorker.Chunk;
            Assert.True(SpinWait.SpinUntil(() => worker.WorkerChunks == expected, TimeSpan.FromSeconds(20)), $"worker chunks {worker.WorkerChunks}");
            worker.Finish(events.Length);
            Assert.All(events, e => Assert.Equal(1, e.Record.RenderedCount));
            foreach (var e in events) Assert.Equal(Serial(formatter, e), Encoding.UTF8.GetString(e.GetFormatted(formatter)));
        }
        finally
        {
            worker.Stop();
        }
    }
}
