using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// <see cref="TextFormatter"/> writes its lines in place (cached timestamp and category, values and
/// literals copied when they hold nothing to escape); it must produce exactly the bytes of the formatter it
/// replaced (<see cref="ReferenceTextFormatter"/>: render the message, then escape it byte by byte), for
/// every value kind, nasty text, truncation, exceptions, scopes, colours and options.
/// </summary>
public sealed class TextWriterEquivalenceTests
{
    private static readonly (TextFormatter Fast, ReferenceTextFormatter Reference)[] s_pairs =
    [
        (new TextFormatter(), new ReferenceTextFormatter()),
        (new TextFormatter(colors: true, multilineExceptions: true), new ReferenceTextFormatter(colors: true, multilineExceptions: true)),
        (new TextFormatter(includeProperties: false), new ReferenceTextFormatter(includeProperties: false)),
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
            // One event, one line (multiline exceptions aside).
            if (e.Exception is null) Assert.Equal(1, a.WrittenSpan.Count((byte)'\n'));
        }
    }

    private static EventRecord Record(string template, long ticks, params LogProperty[] args) =>
        FormatterCases.Record("Cat\negory", template, ticks, args);

    private static Arbitrary<string> NastyStrings() => FormatterCases.NastyStrings();

    [Fact]
    public void Strings_names_templates_and_categories_are_escaped_identically()
    {
        Prop.ForAll(NastyStrings(), NastyStrings(), NastyStrings(), (value, name, literal) =>
        {
            var r = Record("Value {V} " + literal.Replace("{", "{{").Replace("}", "}}") + " {W} {Missing}", 638_000_000_000_000_000,
                new LogProperty("V", LogValue.From(value)), new LogProperty("W", LogValue.From(name)));
            r.Category = name;
            r.AddProperty(new LogProperty(name, LogValue.From(literal)));
            AssertSame(r);
            r.MaxValueChars = 5;
            AssertSame(r);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Printable ASCII up to 256 chars is narrowed straight into the line: every ASCII character, around that limit and under truncation.</summary>
    [Fact]
    public void Every_ascii_character_in_short_strings_is_escaped_identically()
    {
        foreach (var (length, text, front) in FormatterCases.AsciiCharactersAround(1, 10, 255, 256, 257))
        {
            var r = Record("Text {T} and {U}", 638_000_000_000_000_000,
                new LogProperty("T", LogValue.From(text)), new LogProperty("U", LogValue.From(front)));
            r.Category = text;
            r.AddProperty(new LogProperty(front, LogValue.From(text)));
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
            var r = Record("A {A} B {B:F2} C {@C} D {D}", 638_000_000_000_000_001, new LogProperty("A", v), new LogProperty("B", v, "F2"),
                new LogProperty("C", v, null, destructure: true), new LogProperty("D", v, "X"));
            r.AddProperty(new LogProperty("Extra", v));
            r.AddProperty(new LogProperty("ExtraFormatted", v, "N1"));
            AssertSame(r);
        }
    }

    [Fact]
    public void Timestamps_are_written_identically()
    {
        var random = new Random(99);
        var ticks = new List<long> { 0, 638_000_000_000_000_000, 638_000_000_010_000_000, 638_000_000_009_990_000, 638_000_000_000_009_999, DateTime.MaxValue.Ticks, 630_822_816_000_000_000 };
        for (int i = 0; i < 3000; i++) ticks.Add(random.NextInt64(0, DateTime.MaxValue.Ticks));
        // Consecutive events within one second and across second boundaries (the per-second cache).
        for (long t = 638_000_000_009_999_000; t < 638_000_000_010_001_000; t += 7) ticks.Add(t);
        foreach (var t in ticks) AssertSame(Record("x", t));
    }

    [Fact]
    public void Exceptions_scopes_levels_and_binding_are_written_identically()
    {
        Exception ex;
        try { throw new InvalidOperationException("bad \"thing\"\r\nsecond line\u2028third"); }
        catch (Exception caught) { ex = caught; }
        using (ScopeNode.Push([new LogProperty("RequestId", LogValue.From("r-1\n")), new LogProperty("A", LogValue.From(5))], null))
        using (ScopeNode.Push([new LogProperty("Inner", LogValue.From(2.5))], null))
        {
            foreach (LogLevel level in Enum.GetValues<LogLevel>())
            {
                var r = Record("{A} and {Missing} and {0} {A}", 638_000_000_123_456_700, new LogProperty("A", LogValue.From(1)));
                r.Level = level;
                r.Scope = ScopeNode.Current;
                r.AddProperty(new LogProperty("Enriched", LogValue.From("e")));
                AssertSame(r);
                r.Exception = ex;
                AssertSame(r);
                r.BindByName = true;
                AssertSame(r);
            }
        }
    }

    /// <summary>Categories are cached per thread by reference: equal text in another string, and a category changing between events, write the same.</summary>
    [Fact]
    public void Categories_are_written_identically_when_they_change_between_events()
    {
        var names = new[] { "Orders", new string("Orders".ToCharArray()), "Line\u2028Break", "Orders", "é\r", "Payments" };
        for (int round = 0; round < 3; round++)
        {
            foreach (var name in names)
            {
                var r = Record("x {A}", 638_000_000_000_000_000 + round, new LogProperty("A", LogValue.From(round)));
                r.Category = name;
                AssertSame(r);
            }
        }
    }

    [Fact]
    public void Events_from_a_real_pipeline_match_the_reference_on_both_formatting_threads()
    {
        var fast = new Support.CollectingSink(new TextFormatter());
        var reference = new Support.CollectingSink(new ReferenceTextFormatter());
        using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(fast).WriteTo(reference).FlushOnProcessExit(false).Build())
        {
            var log = pipeline.GetLogger("Equivalence");
            int orderId = 12;
            double elapsed = 3.25;
            for (int i = 0; i < 2000; i++)
            {
                log.Info("Processed order {A} in {B} ms for {C}", i, i * 0.25, "customer-" + i);
                log.Warn($"Order {orderId} took {elapsed:F1} ms, note {"line\nbreak"}");
                log.Error(new InvalidOperationException("x"), "Failed {Id}", Guid.Empty);
            }
        }
        Assert.Equal(6000, fast.Events.Count);
        Assert.Equal(reference.Events.Select(e => e.Formatted), fast.Events.Select(e => e.Formatted));
    }
}
