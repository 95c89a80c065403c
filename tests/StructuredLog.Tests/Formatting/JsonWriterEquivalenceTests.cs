using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The hand-written JSON line writer must produce exactly the bytes that the Utf8JsonWriter-based
/// formatter produced (kept as <see cref="ReferenceJsonFormatter"/>), for every value kind, nasty text,
/// truncation, exceptions, traces, scopes, event ids, both namings and every include option.
/// </summary>
public sealed class JsonWriterEquivalenceTests
{
    private static readonly (JsonFormatter Fast, ReferenceJsonFormatter Reference)[] s_pairs =
    [
        (JsonFormatter.Default, ReferenceJsonFormatter.Default),
        (new JsonFormatter(JsonFieldNaming.OpenTelemetry), new ReferenceJsonFormatter(JsonFieldNaming.OpenTelemetry)),
        (new JsonFormatter(includeRenderedMessage: false), new ReferenceJsonFormatter(includeRenderedMessage: false)),
        (new JsonFormatter(JsonFieldNaming.OpenTelemetry, includeTemplate: false), new ReferenceJsonFormatter(JsonFieldNaming.OpenTelemetry, includeTemplate: false)),
        (new JsonFormatter(includeTemplate: false, includeRenderedMessage: false), new ReferenceJsonFormatter(includeTemplate: false, includeRenderedMessage: false)),
    ];

    private enum Color { Red, Green }

    private sealed class Throwing
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    private sealed class Order
    {
        public int Id { get; set; } = 7;
        public string Name { get; set; } = "a\"b\r\n";
    }

    private static void AssertSame(EventRecord record)
    {
        var e = new LogEvent(record);
        foreach (var (fast, reference) in s_pairs)
        {
            var a = new ArrayBufferWriter<byte>();
            var b = new ArrayBufferWriter<byte>();
            fast.Format(e, a);
            reference.Format(e, b);
            if (!a.WrittenSpan.SequenceEqual(b.WrittenSpan))
            {
                Assert.Equal(Encoding.UTF8.GetString(b.WrittenSpan), Encoding.UTF8.GetString(a.WrittenSpan));
                Assert.Equal(b.WrittenSpan.ToArray(), a.WrittenSpan.ToArray()); // differing invalid bytes
            }
            using var _ = JsonDocument.Parse(a.WrittenMemory);
        }
    }

    private static EventRecord Record(string template, long ticks, params LogProperty[] args)
    {
        var r = new EventRecord
        {
            TimestampTicks = ticks,
            Level = LogLevel.Info,
            Category = "Cat\"egory",
            Template = MessageTemplate.Parse(template),
        };
        foreach (var p in args) r.AddProperty(p);
        r.ArgumentCount = r.PropertyCount;
        return r;
    }

    private static Arbitrary<string> NastyStrings()
    {
        var chars = Gen.OneOf(
            Gen.Elements('\r', '\n', '"', '\\', '\u0000', '\u001b', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '<', '>', '&', '\'', '+', '`',
                '{', '}', 'é', '\uD83D', '\uDE00', '\uFFFF', '\uFEFF', '\uE000', '\u0300'),
            ArbMap.Default.GeneratorFor<char>());
        var strings = Gen.OneOf(
            chars.ArrayOf().Select(a => new string(a)),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            Gen.Choose(250, 1200).Select(n => new string('é', n) + "\uD83D\uDE00" + new string('x', n)));
        return strings.ToArbitrary();
    }

    [Fact]
    public void Strings_names_templates_and_categories_are_escaped_identically()
    {
        Prop.ForAll(NastyStrings(), NastyStrings(), NastyStrings(), (value, name, literal) =>
        {
            var r = Record("Value {V} " + literal.Replace("{", "{{").Replace("}", "}}") + " {W}", 638_000_000_000_000_000,
                new LogProperty("V", LogValue.From(value)), new LogProperty("W", LogValue.From(name)));
            r.Category = name;
            r.AddProperty(new LogProperty(name, LogValue.From(literal)));
            r.EventName = value;
            r.EventId = 42;
            AssertSame(r);
            r.MaxValueChars = 5;
            AssertSame(r);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Short printable ASCII takes a copy-only path: every ASCII character, at the lengths around its limit and under truncation.</summary>
    [Fact]
    public void Every_ascii_character_in_short_strings_is_escaped_identically()
    {
        for (int c = 0; c < 128; c++)
        {
            foreach (int length in new[] { 1, 10, 63, 64, 65 })
            {
                string text = new string('a', length - 1) + (char)c;
                string front = (char)c + new string('b', length - 1);
                var r = Record("Text {T} and {U}", 638_000_000_000_000_000,
                    new LogProperty("T", LogValue.From(text)), new LogProperty("U", LogValue.From(front)));
                r.Category = text;
                AssertSame(r);
                r.MaxValueChars = length - 1;
                AssertSame(r);
            }
        }
    }

    [Fact]
    public void Every_value_kind_is_written_identically()
    {
        var values = new List<LogValue>
        {
            LogValue.Null, LogValue.From(true), LogValue.From(false), LogValue.From((byte)200), LogValue.From((sbyte)-5),
            LogValue.From((short)-300), LogValue.From((ushort)60000), LogValue.From(int.MinValue), LogValue.From(uint.MaxValue),
            LogValue.From(long.MinValue), LogValue.From(ulong.MaxValue), LogValue.From(0.1 + 0.2), LogValue.From(-0.0),
            LogValue.From(double.Epsilon), LogValue.From(double.MaxValue), LogValue.From(1e21), LogValue.From(1e-7),
            LogValue.From(double.NaN), LogValue.From(double.PositiveInfinity), LogValue.From(double.NegativeInfinity),
            LogValue.From(3.4028235e38f), LogValue.From(1.1f), LogValue.From(float.NaN), LogValue.From(-float.Epsilon),
            LogValue.From(1.0m), LogValue.From(-79228162514264337593543950335m), LogValue.From(0.0000000000000000000000000001m),
            LogValue.From('"'), LogValue.From('\n'), LogValue.From(new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc)),
            LogValue.From(new DateTime(2026, 11, 25, 1, 2, 3, 456, DateTimeKind.Local)),
            LogValue.From(new DateTimeOffset(2026, 11, 25, 1, 2, 3, TimeSpan.FromHours(-5))), LogValue.From(TimeSpan.FromMilliseconds(-1234.5)),
            LogValue.From(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")), LogValue.From(Color.Green), LogValue.From((Color)17),
            LogValue.FromObject(new Throwing()), LogValue.FromObject(new Uri("http://x/\"y\"")), LogValue.From<string?>(null),
            LogValue.From<int?>(5), LogValue.From<int?>(null), LogValue.FromObject(new Order()),
        };
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++) values.Add(LogValue.From(BitConverter.Int64BitsToDouble(random.NextInt64())));
        for (int i = 0; i < 500; i++) values.Add(LogValue.From(BitConverter.Int32BitsToSingle(random.Next())));
        for (int i = 0; i < 500; i++) values.Add(LogValue.From(new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29))));
        foreach (var v in values)
        {
            AssertSame(Record("A {A} B {B:F2} C {@C}", 638_000_000_000_000_001, new LogProperty("A", v), new LogProperty("B", v, "F2"), new LogProperty("C", v, null, destructure: true)));
        }
    }

    [Fact]
    public void Timestamps_trim_like_utf8jsonwriter()
    {
        var random = new Random(99);
        var ticks = new List<long> { 0, 638_000_000_000_000_000, 638_000_000_010_000_000, 638_000_000_001_000_000, 638_000_000_000_000_001, DateTime.MaxValue.Ticks, 630_822_816_000_000_000 };
        for (int i = 0; i < 3000; i++) ticks.Add(random.NextInt64(0, DateTime.MaxValue.Ticks));
        // Consecutive events within one second and across second boundaries (the per-second cache).
        for (long t = 638_000_000_009_999_990; t < 638_000_000_010_000_010; t++) ticks.Add(t);
        foreach (var t in ticks) AssertSame(Record("x", t));
    }

    [Fact]
    public void Exceptions_traces_scopes_levels_and_binding_are_written_identically()
    {
        Exception ex;
        try { throw new InvalidOperationException("bad \"thing\"\r\n"); }
        catch (Exception caught) { ex = caught; }
        using var activity = new Activity("op").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (ScopeNode.Push([new LogProperty("RequestId", LogValue.From("r-1")), new LogProperty("A", LogValue.From(5))], null))
        using (ScopeNode.Push([new LogProperty("Inner", LogValue.From(2.5))], null))
        {
            foreach (LogLevel level in Enum.GetValues<LogLevel>())
            {
                var r = Record("{A} and {Missing} and {0} {A}", 638_000_000_123_456_700, new LogProperty("A", LogValue.From(1)));
                r.Level = level;
                r.Exception = ex;
                r.TraceId = activity.TraceId;
                r.SpanId = activity.SpanId;
                r.TraceFlags = ActivityTraceFlags.Recorded;
                r.Scope = ScopeNode.Current;
                r.AddProperty(new LogProperty("Enriched", LogValue.From("e")));
                AssertSame(r);
                r.BindByName = true;
                AssertSame(r);
            }
        }
    }

    [Fact]
    public void Events_from_a_real_pipeline_match_the_reference()
    {
        var fast = new Support.CollectingSink(JsonFormatter.Default);
        var reference = new Support.CollectingSink(ReferenceJsonFormatter.Default);
        using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(fast).WriteTo(reference).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Equivalence");
            int orderId = 12;
            double elapsed = 3.25;
            for (int i = 0; i < 200; i++)
            {
                log.Info("Processed order {A} in {B} ms for {C}", i, i * 0.25, "customer-" + i);
                log.Warn($"Order {orderId} took {elapsed:F1} ms, password {"hunter2"}");
                log.Error(new InvalidOperationException("x"), "Failed {Id}", Guid.Empty);
            }
        }
        Assert.Equal(600, fast.Events.Count);
        Assert.Equal(fast.Events.Select(e => e.Formatted), reference.Events.Select(e => e.Formatted));
    }
}
