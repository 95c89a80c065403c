using System.Buffers;
using System.Diagnostics;
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

    private static void AssertSame(EventRecord record)
    {
        var e = new LogEvent(record);
        foreach (var (fast, reference) in s_pairs)
        {
            var a = new ArrayBufferWriter<byte>();
            var b = new ArrayBufferWriter<byte>();
            fast.Format(e, a);
            reference.Format(e, b);
            FormatterCases.AssertSameBytes(b.WrittenSpan, a.WrittenSpan);
            using var _ = JsonDocument.Parse(a.WrittenMemory);
        }
    }

    private static EventRecord Record(string template, long ticks, params LogProperty[] args) =>
        FormatterCases.Record("Cat\"egory", template, ticks, args);

    private static Arbitrary<string> NastyStrings() => FormatterCases.NastyStrings();

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
        foreach (var (length, text, front) in FormatterCases.AsciiCharactersAround(1, 10, 63, 64, 65))
        {
            var r = Record("Text {T} and {U}", 638_000_000_000_000_000,
                new LogProperty("T", LogValue.From(text)), new LogProperty("U", LogValue.From(front)));
            r.Category = text;
            AssertSame(r);
            r.MaxValueChars = length - 1;
            AssertSame(r);
        }
    }

    [Fact]
    public void Every_value_kind_is_written_identically()
    {
        var values = FormatterCases.ValuesOfEveryKind();
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
