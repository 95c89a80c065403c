using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// <see cref="LogfmtFormatter"/> writes its lines in place (cached timestamp, category and keys, numbers and
/// plain ASCII values copied); it must produce exactly the bytes of the formatter it replaced
/// (<see cref="ReferenceLogfmtFormatter"/>), for nasty keys, values, categories and messages, every value kind,
/// timestamps, traces, scopes and exceptions (the cases of <see cref="FormatterEquivalenceTests"/>).
/// </summary>
public sealed class LogfmtEquivalenceTests : FormatterEquivalenceTests
{
    private static readonly LogfmtFormatter s_fast = new();
    private static readonly ReferenceLogfmtFormatter s_reference = new();

    protected override ILogFormatter Fast => s_fast;

    protected override ILogFormatter Reference => s_reference;

    protected override (ILogFormatter Fast, ILogFormatter Reference) NewPair() => (new LogfmtFormatter(), new ReferenceLogfmtFormatter());
}
