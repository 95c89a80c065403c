using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// <see cref="CsvFormatter"/> caches its timestamp's second and the quoted fields of categories and templates, and
/// copies a field with nothing to escape in one pass; it must produce exactly the bytes of the formatter it replaced
/// (<see cref="ReferenceCsvFormatter"/>), for nasty names, values, categories, templates and messages, every value
/// kind, timestamps, traces, scopes and exceptions (the cases of <see cref="FormatterEquivalenceTests"/>), and past
/// the per-thread cache of categories and templates.
/// </summary>
public sealed class CsvEquivalenceTests : FormatterEquivalenceTests
{
    private static readonly CsvFormatter s_fast = new();
    private static readonly ReferenceCsvFormatter s_reference = new();

    protected override ILogFormatter Fast => s_fast;

    protected override ILogFormatter Reference => s_reference;

    protected override (ILogFormatter Fast, ILogFormatter Reference) NewPair() => (new CsvFormatter(), new ReferenceCsvFormatter());

    [Fact]
    public void Many_and_long_categories_and_templates_are_written_identically_past_the_cache()
    {
        // More distinct strings than a thread caches, one longer than it keeps, and the first ones again.
        var categories = Enumerable.Range(0, 4200).Select(i => "Cat \"" + i + "\"").Append(new string('c', 2000)).ToList();
        categories.AddRange(categories.Take(50));
        foreach (var category in categories)
        {
            var r = Record("T " + category.Replace("{", "{{").Replace("}", "}}") + " {A}", 638_000_000_000_000_000, new LogProperty("A", LogValue.From(1)));
            r.Category = category;
            AssertSame(r);
        }
    }
}
