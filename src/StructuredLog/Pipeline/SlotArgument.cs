using StructuredLog.Events;

namespace StructuredLog.Pipeline;

/// <summary>
/// One captured argument in a ring slot. For message-template calls only <see cref="Value"/> is set
/// (names come from the template). Interpolated calls also record the name from
/// <c>[CallerArgumentExpression]</c> and the format, and literal text segments (marked by
/// <see cref="LiteralMarker"/> in <see cref="Format"/>). A scope property of another framework (written after the
/// event's named arguments, marked by <see cref="ScopeMarker"/>) holds its value as captured, unconverted, in
/// <see cref="LogValue.Ref"/>.
/// </summary>
internal struct SlotArgument
{
    public static readonly string LiteralMarker = new('\u0001', 1);

    public static readonly string ScopeMarker = new('\u0002', 1);

    public LogValue Value;
    public string? Name;
    public string? Format;

    public readonly bool IsLiteral => ReferenceEquals(Format, LiteralMarker);

    public readonly bool IsScopeProperty => ReferenceEquals(Format, ScopeMarker);
}
