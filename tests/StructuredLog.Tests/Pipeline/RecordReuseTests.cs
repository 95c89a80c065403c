using StructuredLog.Events;
using StructuredLog.Formatting;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// The writer reuses its records batch after batch and, for speed, overwrites a property's name, format and
/// value reference only when they differ from what the record held; callers likewise store a ring cell's
/// logger and template only when they differ from the cell's previous call. An event must never show
/// anything of an earlier event: different templates, names, formats and value kinds follow each other in
/// the same record (one event per batch) and within batches, and different loggers and templates in the
/// same ring cell, lap after lap. Named properties (<see cref="Logger.Write(LogLevel, Exception?, string, ReadOnlySpan{LogProperty}, int, string?)"/>)
/// leave their names and formats in the ring's parts, stored again only when they differ: other names and formats,
/// and none, must follow them in the same cells.
/// </summary>
public sealed class RecordReuseTests
{
    private static void LogVariant(Logger log, int i)
    {
        switch (i % 5)
        {
            case 0: log.Info("Order {OrderId} for {Customer}", i, "customer-" + i); break;
            case 1: log.Info("Took {Elapsed:F1} ms for {Customer:u}", i * 0.5, "c" + i); break;
            case 2: log.Info("Order {OrderId} for {Customer}", "text-" + i, i); break;
            case 3: log.Info("Only {Count}", i); break;
            default: log.Info("{@Payload} and {Elapsed:000}", new { Id = i }, i); break;
        }
    }

    private static string Expected(int i) => (i % 5) switch
    {
        0 => $"Order {i} for customer-{i}",
        1 => $"Took {(i * 0.5).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} ms for c{i}",
        2 => $"Order text-{i} for {i}",
        3 => $"Only {i}",
        _ => $"{{\"Id\":{i}}} and {i:000}",
    };

    private static Dictionary<string, object?> ExpectedProperties(int i) => (i % 5) switch
    {
        0 => new() { ["OrderId"] = i, ["Customer"] = "customer-" + i },
        1 => new() { ["Elapsed"] = i * 0.5, ["Customer"] = "c" + i },
        2 => new() { ["OrderId"] = "text-" + i, ["Customer"] = i },
        3 => new() { ["Count"] = i },
        _ => new() { ["Elapsed"] = i },
    };

    [Fact]
    public async Task Each_event_shows_only_its_own_names_formats_and_values_one_per_batch_and_many_per_batch()
    {
        var sink = new CollectingSink(JsonFormatter.Default);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Reuse");
        int n = 0;
        // One event per batch: every event lands in the writer's first record.
        for (; n < 40; n++)
        {
            LogVariant(log, n);
            await pipeline.FlushAsync();
        }
        // Then many per batch, in a different order of variants.
        for (; n < 4000; n++) LogVariant(log, n * 7 % 4000 + (n < 2000 ? 0 : 1));
        await pipeline.FlushAsync();

        var events = sink.Events.ToArray();
        Assert.Equal(4000, events.Length);
        for (int k = 0; k < events.Length; k++)
        {
            int i = k < 40 ? k : k * 7 % 4000 + (k < 2000 ? 0 : 1);
            Assert.Equal(Expected(i), events[k].Message);
            var expected = ExpectedProperties(i);
            foreach (var (name, value) in expected) Assert.Equal(value, events[k].Properties[name]);
            if (i % 5 != 4) Assert.Equal(expected.Count, events[k].Properties.Count);
            // The JSON line carries the same names, and none of another template's.
            string json = events[k].Formatted!;
            foreach (var name in expected.Keys) Assert.Contains("\"" + name + "\":", json);
            if (i % 5 == 3) Assert.DoesNotContain("\"Customer\"", json);
        }
    }

    [Fact]
    public async Task Named_properties_keep_their_own_names_and_formats_when_ring_cells_are_reused()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Named");
        const int events = 64 * 40;
        for (int i = 0; i < events; i++)
        {
            switch (i % 6)
            {
                case 0: log.Write(LogLevel.Info, null, "Value {A}", [new LogProperty("A", LogValue.From(i + 0.25), "F1")]); break;
                case 1: log.Write(LogLevel.Info, null, "Value {A}", [new LogProperty("A", LogValue.From(i + 0.25))]); break;
                case 2: log.Write(LogLevel.Info, null, "Name {B}", [new LogProperty("B", LogValue.From(i)), new LogProperty("X", LogValue.From(1))]); break;
                case 3: log.Write(LogLevel.Info, null, "Name {B}", [new LogProperty("C", LogValue.From(i))]); break;
                case 4: log.Info($"Interpolated {i} and {i + 0.5:F2}"); break;
                default: log.Info("Template {A} {B}", i, -i); break;
            }
            if (i % 89 == 0) await pipeline.FlushAsync(); // cells released at varied points of a lap
        }
        await pipeline.FlushAsync();
        var all = sink.Events.ToArray();
        Assert.Equal(events, all.Length);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (int i = 0; i < events; i++)
        {
            var e = all[i];
            switch (i % 6)
            {
                case 0:
                    Assert.Equal("Value " + (i + 0.25).ToString("F1", inv), e.Message);
                    break;
                case 1:
                    Assert.Equal("Value " + (i + 0.25).ToString(inv), e.Message);
                    break;
                case 2:
                    Assert.Equal("Name " + i, e.Message);
                    Assert.Equal(["B", "X"], e.Properties.Keys.Order());
                    break;
                case 3:
                    Assert.Equal("Name {B}", e.Message);
                    Assert.Equal(["C"], e.Properties.Keys);
                    break;
                case 4:
                    Assert.Equal(FormattableString.Invariant($"Interpolated {i} and {i + 0.5:F2}"), e.Message);
                    break;
                default:
                    Assert.Equal($"Template {i} {-i}", e.Message);
                    break;
            }
        }
    }

    [Fact]
    public async Task Each_event_keeps_its_own_logger_and_template_when_ring_cells_are_reused()
    {
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var loggers = new[] { pipeline.GetLogger("First"), pipeline.GetLogger("Second"), pipeline.GetLogger("Third") };
        const int events = 64 * 40;
        for (int i = 0; i < events; i++)
        {
            // 3 loggers and 5 templates against 64 cells: every cell sees every combination over the laps.
            var log = loggers[i % 3];
            switch (i % 5)
            {
                case 0: log.Info("Zero {N}", i); break;
                case 1: log.Info("One {N}", i); break;
                case 2: log.Info($"Interpolated {i}"); break;
                case 3: log.Info("Three"); break;
                default: log.Info("Four {N} {M}", i, -i); break;
            }
            if (i % 97 == 0) await pipeline.FlushAsync(); // cells released at varied points of a lap
        }
        await pipeline.FlushAsync();
        var all = sink.Events.ToArray();
        Assert.Equal(events, all.Length);
        string[] categories = ["First", "Second", "Third"];
        for (int i = 0; i < events; i++)
        {
            Assert.Equal(categories[i % 3], all[i].Category);
            string expected = (i % 5) switch
            {
                0 => $"Zero {i}",
                1 => $"One {i}",
                2 => $"Interpolated {i}",
                3 => "Three",
                _ => $"Four {i} {-i}",
            };
            Assert.Equal(expected, all[i].Message);
        }
    }
}
