using StructuredLog.Formatting;
using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Pipeline;

/// <summary>
/// The writer reuses its records batch after batch and, for speed, overwrites a property's name, format and
/// value reference only when they differ from what the record held. An event must never show anything of
/// the record's previous event: different templates, names, formats and value kinds follow each other in
/// the same record (one event per batch) and within batches.
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
}
