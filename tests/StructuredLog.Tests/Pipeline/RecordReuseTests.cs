using System.Globalization;
using StructuredLog.Events;
using StructuredLog.Pipeline;
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
    public async Task Values_with_a_second_payload_word_do_not_leak_it_into_later_values_of_the_same_cell()
    {
        // A ring cell keeps a value's second payload word (Guid, decimal, DateTimeOffset) apart from the first and stores it
        // only when it is not zero: decimals and Guids whose high word is zero, and values of other kinds, must not pick up
        // an earlier event's, lap after lap of a small ring, in every inline position.
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Wide");
        const int events = 64 * 30;
        var offset = TimeSpan.FromHours(-5);
        // The variant moves on by one each lap, so that every cell sees every variant after every other.
        int Variant(int i) => (i + i / 64) % 4;
        object?[] Values(int i) => Variant(i) switch
        {
            0 => [new decimal(i, i + 1, i + 2, false, 2), new Guid(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), new DateTimeOffset(2026, 1, 2, 3, 4, 5, offset), new decimal(i, 7, 7, true, 1)],
            1 => [new decimal(i) / 4, i, new Guid(i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), i * 2L],
            2 => [i + 0.5, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), (decimal)i, new Guid(0, 0, 0, [0, 0, 0, 0, 0, 0, 0, (byte)(i % 256)])],
            _ => [i, i + 1L, i * 0.25, new decimal(i)],
        };
        for (int i = 0; i < events; i++)
        {
            var v = Values(i);
            switch (Variant(i))
            {
                case 0: log.Info("{A} {B} {C} {D}", (decimal)v[0]!, (Guid)v[1]!, (DateTimeOffset)v[2]!, (decimal)v[3]!); break;
                case 1: log.Info("{A} {B} {C} {D}", (decimal)v[0]!, (int)v[1]!, (Guid)v[2]!, (long)v[3]!); break;
                case 2: log.Info("{A} {B} {C} {D}", (double)v[0]!, (DateTimeOffset)v[1]!, (decimal)v[2]!, (Guid)v[3]!); break;
                default: log.Info("{A} {B} {C} {D}", (int)v[0]!, (long)v[1]!, (double)v[2]!, (decimal)v[3]!); break;
            }
            if (i % 61 == 0) await pipeline.FlushAsync(); // cells released at varied points of a lap
        }
        await pipeline.FlushAsync();
        var all = sink.Events.ToArray();
        Assert.Equal(events, all.Length);
        for (int i = 0; i < events; i++)
        {
            var v = Values(i);
            Assert.Equal(v[0], all[i].Properties["A"]);
            Assert.Equal(v[1], all[i].Properties["B"]);
            Assert.Equal(v[2], all[i].Properties["C"]);
            Assert.Equal(v[3], all[i].Properties["D"]);
        }
    }

    [Fact]
    public async Task Six_values_and_rare_fields_come_back_as_logged_when_hot_and_cold_cells_are_reused()
    {
        // The fifth and sixth values of a call, the second payload words and the rare fields (exception, event id, scope)
        // live in a cell's cold part, which the writer reads only when a call stored something there: events with and
        // without them alternate in every cell of a small ring, lap after lap, so a value, word or field left over from an
        // earlier event, or one not read, shows up in a later event's properties.
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Cold");
        const int events = 64 * 30;
        var failure = new InvalidOperationException("failed");
        int Variant(int i) => (i + i / 64) % 5;
        object[] Values(int i) => Variant(i) switch
        {
            0 => [i, "b" + i, i * 0.5, i * 3L, new Guid(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), new decimal(i, i + 1, 7, false, 3)],
            1 => [i, i + 1, i + 2, i + 3, "e" + i, i + 5L],
            2 => [new decimal(i, 9, 9, true, 2), i, "c" + i, i, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), "f" + i],
            3 => [i, i + 1, i + 2, i + 3, i + 4, i + 5],
            _ => [i, i, i, i, 0m, Guid.Empty],
        };
        for (int i = 0; i < events; i++)
        {
            var v = Values(i);
            switch (Variant(i))
            {
                case 0: log.Info("{A} {B} {C} {D} {E} {F}", (int)v[0], (string)v[1], (double)v[2], (long)v[3], (Guid)v[4], (decimal)v[5]); break;
                case 1: log.Error(failure, "{A} {B} {C} {D} {E} {F}", (int)v[0], (int)v[1], (int)v[2], (int)v[3], (string)v[4], (long)v[5]); break;
                case 2:
                    using (log.BeginScope("Request", i))
                        log.Info("{A} {B} {C} {D} {E} {F}", (decimal)v[0], (int)v[1], (string)v[2], (int)v[3], (DateTimeOffset)v[4], (string)v[5]);
                    break;
                case 3: log.Info("{A} {B} {C} {D}", (int)v[0], (int)v[1], (int)v[2], (int)v[3]); break;
                default: log.Info("{A} {B} {C} {D} {E} {F}", (int)v[0], (int)v[1], (int)v[2], (int)v[3], (decimal)v[4], (Guid)v[5]); break;
            }
            if (i % 61 == 0) await pipeline.FlushAsync(); // cells released at varied points of a lap
        }
        await pipeline.FlushAsync();
        var all = sink.Events.ToArray();
        Assert.Equal(events, all.Length);
        string[] names = ["A", "B", "C", "D", "E", "F"];
        for (int i = 0; i < events; i++)
        {
            var v = Values(i);
            var e = all[i];
            int count = Variant(i) == 3 ? 4 : 6;
            for (int k = 0; k < count; k++) Assert.Equal(v[k], e.Properties[names[k]]);
            if (count == 4) Assert.False(e.Properties.ContainsKey("E"));
            Assert.Same(Variant(i) == 1 ? failure : null, e.Exception);
            Assert.Equal(Variant(i) == 2 ? (object)i : null, e.Properties.GetValueOrDefault("Request"));
        }
    }

    [Fact]
    public void Releasing_a_cell_clears_its_cold_part_and_the_mark_that_the_writer_reads_it_by()
    {
        // The writer reads a cell's cold part only while EventSlot.HasRare is set: a release that kept the mark would make
        // every later call in the cell cost the writer that read, and one that kept a field would keep the object alive.
        var ring = new RingBuffer(4);
        Assert.True(ring.TryClaim(Thread.CurrentThread, out long pos));
        ref EventSlot s = ref ring.Cell(pos);
        ref ColdSlot c = ref ring.Cold(pos);
        c.Exception = new InvalidOperationException();
        c.EventName = "named";
        c.EventId = 7;
        s.ArgumentCount = 6;
        ring.StoreValue(ref s, pos, 5, LogValue.From("sixth"));
        ring.StoreValue(ref s, pos, 4, LogValue.From(new Guid(1, 2, 3, [4, 5, 6, 7, 8, 9, 10, 11])));
        Assert.Equal(1, s.HasRare);
        Assert.NotEqual(0, s.WideMask);
        Assert.Equal("sixth", ring.Value(ref s, pos, 5).ToObject());
        ring.Publish(pos);
        Assert.True(ring.TryPeek(out long peeked));
        Assert.Equal(pos, peeked);
        ring.Release(pos);
        Assert.Equal(0, s.HasRare);
        Assert.Equal(0, s.WideMask);
        Assert.Null(c.Exception);
        Assert.Null(c.EventName);
        Assert.Equal(0, c.EventId);
        Assert.Null(c.Values[1].Ref);
    }

    [Fact]
    public void The_ring_cell_keeps_room_for_the_trace_and_span_ids()
    {
        // ColdSlot's explicit layout reserves bytes for these runtime structs (8 bytes each in .NET 10).
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<System.Diagnostics.ActivityTraceId>() <= StructuredLog.Pipeline.ColdSlot.TraceIdRoom);
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<System.Diagnostics.ActivitySpanId>() <= StructuredLog.Pipeline.ColdSlot.SpanIdRoom);
    }

    private static readonly string[] s_namesA = Enumerable.Range(0, 16).Select(k => "A" + k).ToArray();
    private static readonly string[] s_namesB = Enumerable.Range(0, 30).Select(k => "B" + k).ToArray();
    private static readonly string[] s_namesC = Enumerable.Range(0, RingBuffer.MaxKeptSpill + 6).Select(k => "C" + k).ToArray();
    private static readonly string[] s_namesS = Enumerable.Range(0, 13).Select(k => "S" + k).ToArray();
    private static readonly string[] s_id = ["Id"];

    private static LogProperty[] Named(string[] names, int count, Func<int, LogValue> value, int formatted = -1, string? format = null)
    {
        var props = new LogProperty[count];
        for (int k = 0; k < count; k++) props[k] = new LogProperty(names[k], value(k), k == formatted ? format : null);
        return props;
    }

    [Fact]
    public async Task Calls_with_more_parts_than_fit_beside_the_cell_get_only_their_own_parts_back_lap_after_lap()
    {
        // More than RingBuffer.PartsPerCell parts go to an array the cell keeps from lap to lap (grown when a call needs
        // more; names and formats stay in it, stored again only when they differ) or, past RingBuffer.MaxKeptSpill, to a
        // pooled one. Sizes, names and formats change from call to call in the same cells (64 cells, six shapes).
        var sink = new CollectingSink();
        await using var pipeline = new LogPipelineBuilder().BufferSize(64).WriteTo(sink, isolate: false).FlushOnProcessExit(false).Build();
        var log = pipeline.GetLogger("Spill");
        const int events = 64 * 30;
        for (int i = 0; i < events; i++)
        {
            int n = i;
            switch (i % 6)
            {
                case 0: log.Write(LogLevel.Info, null, "First {A3} last {A15}", Named(s_namesA, 16, k => LogValue.From(n * 1000 + k), 3, "D6")); break;
                case 1: log.Write(LogLevel.Info, null, "Wide {B29}", Named(s_namesB, 30, k => LogValue.From($"b{n}-{k}"))); break;
                case 2: log.Write(LogLevel.Info, null, "First {A3} last {A13}", Named(s_namesA, 14, k => LogValue.From(n * 1000 + k))); break;
                case 3: log.Write(LogLevel.Info, null, "Huge {C0}", Named(s_namesC, s_namesC.Length, k => LogValue.From(n + k * 0.5))); break;
                case 4:
                    var scopes = new KeyValuePair<string, object?>[13];
                    for (int k = 0; k < scopes.Length; k++) scopes[k] = new(s_namesS[k], $"s{n}-{k}");
                    log.Write(LogLevel.Info, null, "Scoped {Id}", s_id, [LogValue.From(n)], scopes);
                    break;
                default: log.Info($"{n} {n + 1} {n + 2} {n + 3} {n + 4} {n + 5} {n + 6} end"); break;
            }
            if (i % 89 == 0) await pipeline.FlushAsync(); // cells released at varied points of a lap
        }
        await pipeline.FlushAsync();
        var all = sink.Events.ToArray();
        Assert.Equal(events, all.Length);
        for (int i = 0; i < events; i++)
        {
            var e = all[i];
            var keys = e.Properties.Keys.Order(StringComparer.Ordinal).ToArray();
            switch (i % 6)
            {
                case 0:
                    Assert.Equal($"First {(i * 1000 + 3).ToString("D6", CultureInfo.InvariantCulture)} last {i * 1000 + 15}", e.Message);
                    Assert.Equal(s_namesA.Order(StringComparer.Ordinal), keys);
                    for (int k = 0; k < 16; k++) Assert.Equal(i * 1000 + k, e.Properties["A" + k]);
                    break;
                case 1:
                    Assert.Equal($"Wide b{i}-29", e.Message);
                    Assert.Equal(s_namesB.Order(StringComparer.Ordinal), keys);
                    for (int k = 0; k < 30; k++) Assert.Equal($"b{i}-{k}", e.Properties["B" + k]);
                    break;
                case 2:
                    Assert.Equal($"First {i * 1000 + 3} last {i * 1000 + 13}", e.Message); // no format left by shape 0
                    Assert.Equal(s_namesA[..14].Order(StringComparer.Ordinal), keys);
                    for (int k = 0; k < 14; k++) Assert.Equal(i * 1000 + k, e.Properties["A" + k]);
                    break;
                case 3:
                    Assert.Equal($"Huge {i}", e.Message);
                    Assert.Equal(s_namesC.Order(StringComparer.Ordinal), keys);
                    for (int k = 0; k < s_namesC.Length; k++) Assert.Equal(i + k * 0.5, e.Properties["C" + k]);
                    break;
                case 4:
                    Assert.Equal($"Scoped {i}", e.Message);
                    Assert.Equal(s_namesS.Append("Id").Order(StringComparer.Ordinal), keys);
                    Assert.Equal(i, e.Properties["Id"]);
                    for (int k = 0; k < 13; k++) Assert.Equal($"s{i}-{k}", e.Properties["S" + k]);
                    break;
                default:
                    Assert.Equal($"{i} {i + 1} {i + 2} {i + 3} {i + 4} {i + 5} {i + 6} end", e.Message);
                    Assert.Equal(7, keys.Length);
                    break;
            }
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
