using System.Buffers;
using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The cases every text formatter that replaced an earlier one is checked against its former code with (kept in the
/// tests as its reference): each case formats the same event with both and expects the same bytes, one line. A derived
/// class names the two formatters and adds the cases of its own format.
/// </summary>
public abstract class FormatterEquivalenceTests
{
    /// <summary>The formatter under test.</summary>
    protected abstract ILogFormatter Fast { get; }

    /// <summary>The former formatter, kept as the oracle.</summary>
    protected abstract ILogFormatter Reference { get; }

    /// <summary>A new instance of each, for a real pipeline's sinks.</summary>
    protected abstract (ILogFormatter Fast, ILogFormatter Reference) NewPair();

    private protected void AssertSame(EventRecord record)
    {
        var e = new LogEvent(record);
        var a = new ArrayBufferWriter<byte>();
        var b = new ArrayBufferWriter<byte>();
        Fast.Format(e, a);
        Reference.Format(e, b);
        FormatterCases.AssertSameBytes(b.WrittenSpan, a.WrittenSpan);
        Assert.Equal(1, a.WrittenSpan.Count((byte)'\n'));
    }

    private protected static EventRecord Record(string template, long ticks, params LogProperty[] args) =>
        FormatterCases.Record("Cat egory", template, ticks, args);

    [Fact]
    public void Keys_values_categories_and_messages_are_written_identically()
    {
        Prop.ForAll(FormatterCases.NastyStrings(), FormatterCases.NastyStrings(), FormatterCases.NastyStrings(), (value, name, literal) =>
        {
            var r = Record("Value {V} " + literal.Replace("{", "{{").Replace("}", "}}") + " {W} {Missing}", 638_000_000_000_000_000,
                new LogProperty("V", LogValue.From(value)), new LogProperty("W", LogValue.From(name)));
            r.Category = name;
            r.AddProperty(new LogProperty(name, LogValue.From(literal)));
            r.AddProperty(new LogProperty(value, LogValue.From(name.Length)));
            AssertSame(r);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Every ASCII character in values, keys and categories around the lengths formatters copy straight (256 chars), and the empty string.</summary>
    [Fact]
    public void Every_ascii_character_in_short_values_and_keys_is_written_identically()
    {
        foreach (var (_, text, front) in FormatterCases.AsciiCharactersAround(1, 10, 255, 256, 257))
        {
            var r = Record("Text {T} and {U}", 638_000_000_000_000_000,
                new LogProperty("T", LogValue.From(text)), new LogProperty("U", LogValue.From(front)));
            r.Category = text;
            r.AddProperty(new LogProperty(front, LogValue.From("")));
            AssertSame(r);
        }
    }

    [Fact]
    public void Every_value_kind_is_written_identically()
    {
        foreach (var v in FormatterCases.ValuesOfEveryKind())
        {
            var r = Record("A {A} B {B:F2} C {@C} D {D}", 638_000_000_000_000_001, new LogProperty("A", v), new LogProperty("B", v, "F2"),
                new LogProperty("C", v, null, destructure: true), new LogProperty("D", v, ""));
            r.AddProperty(new LogProperty("Extra", v));
            AssertSame(r);
        }
    }

    [Fact]
    public void Timestamps_are_written_identically()
    {
        var random = new Random(7);
        var ticks = new List<long> { 0, 638_000_000_000_000_000, 638_000_000_009_999_999, 638_000_000_010_000_000, DateTime.MaxValue.Ticks, 630_822_816_000_000_001 };
        for (int i = 0; i < 3000; i++) ticks.Add(random.NextInt64(0, DateTime.MaxValue.Ticks));
        for (long t = 638_000_000_009_999_000; t < 638_000_000_010_001_000; t += 7) ticks.Add(t);
        foreach (var t in ticks) AssertSame(Record("x", t));
    }

    [Fact]
    public void Traces_scopes_levels_exceptions_and_binding_are_written_identically()
    {
        Exception ex;
        try { throw new InvalidOperationException("bad \"thing\"\r\nsecond line"); }
        catch (Exception caught) { ex = caught; }
        using var activity = new Activity("op").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (ScopeNode.Push([new LogProperty("RequestId", LogValue.From("r-1 x")), new LogProperty("A", LogValue.From(5))], null))
        using (ScopeNode.Push([new LogProperty("Inner", LogValue.From(2.5))], null))
        {
            foreach (LogLevel level in Enum.GetValues<LogLevel>().Append((LogLevel)9))
            {
                var r = Record("{A} and {Missing} and {0} {A}", 638_000_000_123_456_700, new LogProperty("A", LogValue.From(1)));
                r.Level = level;
                r.Scope = ScopeNode.Current;
                r.AddProperty(new LogProperty("Enriched", LogValue.From("e")));
                AssertSame(r);
                r.TraceId = activity.TraceId;
                r.SpanId = activity.SpanId;
                r.Exception = ex;
                AssertSame(r);
                r.BindByName = true;
                AssertSame(r);
            }
        }
    }

    [Fact]
    public void Events_from_a_real_pipeline_match_the_reference_on_both_formatting_threads()
    {
        var (fastFormatter, referenceFormatter) = NewPair();
        var fast = new Support.CollectingSink(fastFormatter);
        var reference = new Support.CollectingSink(referenceFormatter);
        using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(fast).WriteTo(reference).FlushOnProcessExit(false).Build())
        {
            var loggers = new[] { pipeline.GetLogger("Equivalence"), pipeline.GetLogger("Other one") };
            for (int i = 0; i < 2000; i++)
            {
                loggers[i & 1].Info("Processed order {A} in {B} ms for {C}", i, i * 0.25, "customer-" + i);
                loggers[i & 1].Warn($"Order {i} took {i * 0.5:F1} ms, note {"line\nbreak"}");
                loggers[i & 1].Error(new InvalidOperationException("x"), "Failed {Id}", Guid.Empty);
            }
        }
        Assert.Equal(6000, fast.Events.Count);
        Assert.Equal(reference.Events.Select(e => e.Formatted), fast.Events.Select(e => e.Formatted));
    }
}
