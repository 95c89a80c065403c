using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StructuredLog.Events;
using StructuredLog.Formatting.MessagePack.Tests.Support;

namespace StructuredLog.Formatting.MessagePack.Tests;

public sealed class RoundTripTests
{
    public enum Colour { Red, Green, Blue = 7 }

    private static async Task<CapturingSink> Capture(Action<Logger> log, MessagePackFormatter? formatter = null)
    {
        var sink = new CapturingSink(JsonFormatter.Default, formatter ?? new MessagePackFormatter());
        await using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).Build())
        {
            log(pipeline.GetLogger("RoundTrip.Tests"));
        }
        return sink;
    }

    private static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();

    [Property(MaxTest = 150)]
    public bool Any_event_read_back_converts_to_the_same_JSON_the_JSON_formatter_wrote(
        string text, long number, double real, float single, decimal money, bool flag, Guid id,
        DateTime when, DateTimeOffset at, TimeSpan span, char letter, byte small, ulong big, int level)
    {
        var sink = Capture(log =>
        {
            using var scope = log.BeginScope("Scoped", text, "Number", -1);
            log.Write((LogLevel)(Math.Abs(level % 6)), level % 5 == 0 ? new InvalidOperationException(text) : null,
                "Text {Text} number {Number} real {Real:F2} {Single} {Money} {Flag} {Id} {When} {At} {Span} {Letter} {Small} {Big} {Colour}",
                [
                    new LogProperty("Text", LogValue.From(text)), new LogProperty("Number", LogValue.From(number)),
                    new LogProperty("Real", LogValue.From(real), "F2"), new LogProperty("Single", LogValue.From(single)),
                    new LogProperty("Money", LogValue.From(money)), new LogProperty("Flag", LogValue.From(flag)),
                    new LogProperty("Id", LogValue.From(id)), new LogProperty("When", LogValue.From(when)),
                    new LogProperty("At", LogValue.From(at)), new LogProperty("Span", LogValue.From(span)),
                    new LogProperty("Letter", LogValue.From(letter)), new LogProperty("Small", LogValue.From(small)),
                    new LogProperty("Big", LogValue.From(big)), new LogProperty("Colour", LogValue.From((Colour)(level & 7))),
                ],
                eventId: level, eventName: level % 3 == 0 ? "Named" + text : null);
        }).GetAwaiter().GetResult();
        var e = Assert.Single(sink.Events);
        string expected = Encoding.UTF8.GetString(e[0]);
        string actual = Assert.Single(Conversion.ToJsonLines(e[1]));
        Assert.Equal(expected, actual);
        return true;
    }

    [Fact]
    public async Task An_event_with_more_scope_properties_than_the_name_buffer_holds_reads_back_whole()
    {
        var sink = await Capture(log =>
        {
            var scopes = Enumerable.Range(0, 40).Select(i => log.BeginScope("Scope" + i, i)).ToList();
            log.Info("one {A}", 1);
            for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        });
        var e = Assert.Single(sink.Events);
        string actual = Assert.Single(Conversion.ToJsonLines(e[1]));
        Assert.Equal(Encoding.UTF8.GetString(e[0]), actual);
        Assert.Contains("\"Scope39\":39", actual);
    }

    [Fact]
    public async Task Fields_are_read_back_with_their_types()
    {
        using var source = new ActivitySource("rt");
        using var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        var guid = Guid.NewGuid();
        var when = new DateTime(2026, 11, 25, 20, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        ActivityTraceId trace = default;
        var selfLog = new StringWriter();
        StructuredLog.Diagnostics.SelfLog.Enable(selfLog);
        var sink = await Capture(log =>
        {
            using var activity = source.StartActivity("op")!;
            trace = activity.TraceId;
            log.Warn("Order {OrderId} of {Amount} at {When} id {Id} nan {Nan} {@Shape}", 42, 12.5m, when, guid, double.NaN, new { Side = 3, Name = "sq" });
        });
        StructuredLog.Diagnostics.SelfLog.Disable();
        Assert.True(sink.Errors.Count == 0, string.Join("\n", sink.Errors));
        Assert.True(selfLog.ToString().Length == 0, selfLog.ToString());
        var records = MessagePackLogReader.ReadAll(new MemoryStream(sink.Events[0][1])).ToList();
        Assert.True(selfLog.ToString().Length == 0, selfLog.ToString());
        var r = Assert.Single(records);
        Assert.Equal(LogLevel.Warn, r.Level);
        Assert.Equal("RoundTrip.Tests", r.Category);
        Assert.Equal("Order {OrderId} of {Amount} at {When} id {Id} nan {Nan} {@Shape}", r.Template);
        Assert.Equal(trace, r.TraceId);
        Assert.True(r.HasTrace);
        var props = r.Properties.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(42L, props["OrderId"]);
        Assert.Equal(12.5m, props["Amount"]);
        Assert.Equal(when, props["When"]);
        Assert.Equal(guid, props["Id"]);
        Assert.True(double.IsNaN((double)props["Nan"]!));
        Assert.Equal("{\"Side\":3,\"Name\":\"sq\"}", props["Shape"]!.ToString());
        Assert.Equal(Encoding.UTF8.GetString(sink.Events[0][0]), Assert.Single(Conversion.ToJsonLines(sink.Events[0][1])));
    }

    [Fact]
    public async Task Hostile_input_yields_valid_records_with_the_problem_marked()
    {
        var sink = await Capture(log =>
        {
            log.Info("Lone {Surrogate} and {Line} and {Thrower}", "a\ud800b", "x\r\nforged: line", new ThrowingToString());
            log.Info(new string('t', 5000) + " {P}", 1);
            log.Info("{" + new string('n', 2000) + "}", "long name");
        });
        var json = Conversion.ToJsonLines(Concat(sink.Events.Select(e => e[1])));
        Assert.Equal(sink.Events.Select(e => Encoding.UTF8.GetString(e[0])), json);
        Assert.Contains("<ToString threw InvalidOperationException>", json[0]);
        Assert.Contains("\\r\\n", json[0]);
        Assert.Contains("\ufffd", json[0]);
    }

    [Fact]
    public async Task Messages_that_render_exactly_from_template_and_values_are_not_stored_but_rendered_on_read()
    {
        var sink = await Capture(log =>
        {
            log.Info("Order {OrderId} shipped to {City} in {Elapsed} ms", 42, "Zürich", 12.5);
            log.Info("Order {OrderId} took {Elapsed:F1} ms", 7, 3.14159); // a format: the rendered text is stored
        });
        var plain = sink.Events.First();
        Assert.Equal(-1, plain[1].AsSpan().IndexOf("Order 42"u8));
        var formatted = sink.Events.Last();
        Assert.True(formatted[1].AsSpan().IndexOf("Order 7 took 3.1 ms"u8) >= 0);
        var records = MessagePackLogReader.ReadAll(new MemoryStream(Concat(sink.Events.Select(e => e[1])))).ToList();
        Assert.Equal("Order 42 shipped to Zürich in 12.5 ms", records[0].Message);
        Assert.Equal("Order 7 took 3.1 ms", records[1].Message);
        Assert.Equal(sink.Events.Select(e => Encoding.UTF8.GetString(e[0])), Conversion.ToJsonLines(Concat(sink.Events.Select(e => e[1]))));
    }

    private sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    [Fact]
    public async Task Symbols_are_written_once_per_file_and_payloads_stand_alone()
    {
        var formatter = new MessagePackFormatter();
        var sink = await Capture(log => { for (int i = 0; i < 100; i++) log.Info("Same template {N} in {Place}", i, "here"); }, formatter);
        // Each payload alone is readable (network use): it carries its definitions.
        foreach (var e in sink.Events) Assert.Single(MessagePackLogReader.ReadAll(new MemoryStream(e[1])));
        // Through a file encoder the definitions appear once.
        var file = new System.Buffers.ArrayBufferWriter<byte>();
        var encoder = ((ILogFileFormat)formatter).StartFile();
        encoder.WriteHeader(file);
        foreach (var e in sink.Events) encoder.Append(e[1], file);
        var bytes = file.WrittenSpan.ToArray();
        Assert.Equal(1, CountOccurrences(bytes, Encoding.UTF8.GetBytes("Same template {N} in {Place}")));
        Assert.True(bytes.Length < sink.Events.Sum(e => e[1].Length) / 2);
        var records = MessagePackLogReader.ReadAll(new MemoryStream(bytes)).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (object)(long)i), records.Select(r => r.Properties[0].Value));
    }

    [Fact]
    public async Task A_file_is_at_least_twice_smaller_than_JSON_lines_for_typical_events()
    {
        var formatter = new MessagePackFormatter();
        var random = new Random(7);
        string[] paths = ["/orders", "/orders/{id}", "/cart", "/health"];
        var sink = await Capture(log =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using var scope = log.BeginScope("RequestId", $"req-{i:D6}", "Route", paths[i % 4]);
                log.Info("{Method} {Path} responded {StatusCode} in {Elapsed:F1} ms", i % 4 == 0 ? "POST" : "GET", paths[i % 4], 200, random.NextDouble() * 40);
                if (i % 10 == 0) log.Warn("Order {OrderId} for {CustomerId} is late by {Delay}", 1000 + i, Guid.NewGuid(), TimeSpan.FromSeconds(i));
            }
        }, formatter);
        long json = sink.Events.Sum(e => e[0].Length);
        var file = new System.Buffers.ArrayBufferWriter<byte>();
        var encoder = formatter.StartFile();
        encoder.WriteHeader(file);
        foreach (var e in sink.Events) encoder.Append(e[1], file);
        double ratio = (double)json / file.WrittenCount;
        Assert.True(ratio >= 2.0, $"JSON {json} bytes, MessagePack {file.WrittenCount} bytes: only {ratio:F2}x smaller");
    }

    [Fact]
    public async Task A_torn_tail_is_measured_to_the_last_complete_record()
    {
        var formatter = new MessagePackFormatter();
        var sink = await Capture(log => { for (int i = 0; i < 10; i++) log.Info("T {N}", i); }, formatter);
        var file = new System.Buffers.ArrayBufferWriter<byte>();
        var encoder = formatter.StartFile();
        encoder.WriteHeader(file);
        foreach (var e in sink.Events.Take(9)) encoder.Append(e[1], file);
        int beforeLast = file.WrittenCount;
        encoder.Append(sink.Events[^1][1], file);
        var bytes = file.WrittenSpan.ToArray();
        for (int cut = 1; cut < bytes.Length - beforeLast; cut++)
        {
            var torn = bytes[..^cut];
            long intact = formatter.MeasureIntactLength(new MemoryStream(torn));
            Assert.Equal(beforeLast, intact);
            Assert.Equal(9, MessagePackLogReader.ReadAll(new MemoryStream(torn[..(int)intact])).Count());
        }
        Assert.Equal(0, formatter.MeasureIntactLength(new MemoryStream([0xc1, 0x00])));
    }

    private static int CountOccurrences(byte[] haystack, byte[] needle)
    {
        int count = 0;
        for (int i = haystack.AsSpan().IndexOf(needle); i >= 0;)
        {
            count++;
            int next = haystack.AsSpan(i + 1).IndexOf(needle);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return count;
    }
}
