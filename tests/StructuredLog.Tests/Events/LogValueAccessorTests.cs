using StructuredLog.Events;

namespace StructuredLog.Tests.Events;

/// <summary>The non-boxing typed accessors return what was captured, and only for their kinds.</summary>
public sealed class LogValueAccessorTests
{
    [Fact]
    public void Each_accessor_returns_the_captured_value_for_its_kinds_only()
    {
        var now = new DateTime(2026, 11, 25, 20, 0, 0, DateTimeKind.Utc);
        var at = new DateTimeOffset(2026, 11, 25, 21, 0, 0, TimeSpan.FromHours(1));
        var id = Guid.NewGuid();
        Assert.True(LogValue.From((sbyte)-5).TryGetInt64(out long l) && l == -5);
        Assert.True(LogValue.From((short)-300).TryGetInt64(out l) && l == -300);
        Assert.True(LogValue.From(-70000).TryGetInt64(out l) && l == -70000);
        Assert.True(LogValue.From(long.MinValue).TryGetInt64(out l) && l == long.MinValue);
        Assert.True(LogValue.From((byte)200).TryGetUInt64(out ulong u) && u == 200);
        Assert.True(LogValue.From(ulong.MaxValue).TryGetUInt64(out u) && u == ulong.MaxValue);
        Assert.True(LogValue.From(1.5f).TryGetDouble(out double d) && d == 1.5);
        Assert.True(LogValue.From(double.NaN).TryGetDouble(out d) && double.IsNaN(d));
        Assert.True(LogValue.From(12.345m).TryGetDecimal(out decimal m) && m == 12.345m);
        Assert.True(LogValue.From(true).TryGetBoolean(out bool b) && b);
        Assert.True(LogValue.From(now).TryGetDateTime(out var dt) && dt == now && dt.Kind == DateTimeKind.Utc);
        Assert.True(LogValue.From(at).TryGetDateTimeOffset(out var dto) && dto == at && dto.Offset == at.Offset);
        Assert.True(LogValue.From(TimeSpan.FromTicks(-7)).TryGetTimeSpan(out var ts) && ts.Ticks == -7);
        Assert.True(LogValue.From(id).TryGetGuid(out var g) && g == id);

        var text = LogValue.From("42");
        Assert.False(text.TryGetInt64(out _));
        Assert.False(text.TryGetUInt64(out _));
        Assert.False(text.TryGetDouble(out _));
        Assert.False(text.TryGetDecimal(out _));
        Assert.False(text.TryGetBoolean(out _));
        Assert.False(text.TryGetDateTime(out _));
        Assert.False(text.TryGetDateTimeOffset(out _));
        Assert.False(text.TryGetTimeSpan(out _));
        Assert.False(text.TryGetGuid(out _));
        Assert.False(LogValue.From(5u).TryGetInt64(out _));
        Assert.False(LogValue.From(5).TryGetUInt64(out _));
        Assert.False(LogValue.From(5).TryGetDouble(out _));
    }

    private enum Color : short { Red = -2, Blue = 7 }

    private enum Wide : ulong { Top = ulong.MaxValue }

    private static void AssertSame(LogValue typed, object? boxed)
    {
        var fromObject = LogValue.FromObject(boxed);
        Assert.Equal(typed.Kind, fromObject.Kind);
        Assert.Equal(typed.Lo, fromObject.Lo);
        Assert.Equal(typed.Hi, fromObject.Hi);
        Assert.Same(typed.Ref, fromObject.Ref);
    }

    [Fact]
    public void A_boxed_value_is_captured_exactly_as_its_typed_form()
    {
        // What Microsoft.Extensions.Logging's LogInformation and scope pairs hand over: every kind, boxed.
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var text = "forty-two";
        var other = new Uri("http://example.test/");
        AssertSame(LogValue.From(-70000), -70000);
        AssertSame(LogValue.From(long.MinValue), long.MinValue);
        AssertSame(LogValue.From(-0.1), -0.1);
        AssertSame(LogValue.From(double.NaN), double.NaN);
        AssertSame(LogValue.From(true), true);
        AssertSame(LogValue.From(false), false);
        AssertSame(LogValue.From(id), id);
        AssertSame(LogValue.From(new DateTime(2026, 11, 27, 5, 0, 0, DateTimeKind.Local)), new DateTime(2026, 11, 27, 5, 0, 0, DateTimeKind.Local));
        var at = new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.FromMinutes(-210));
        AssertSame(LogValue.From(at), at);
        AssertSame(LogValue.From(TimeSpan.FromTicks(-7)), TimeSpan.FromTicks(-7));
        AssertSame(LogValue.From(-12.345m), -12.345m);
        AssertSame(LogValue.From(decimal.MaxValue), decimal.MaxValue);
        AssertSame(LogValue.From(1.5f), 1.5f);
        AssertSame(LogValue.From(uint.MaxValue), uint.MaxValue);
        AssertSame(LogValue.From(ulong.MaxValue), ulong.MaxValue);
        AssertSame(LogValue.From((short)-300), (short)-300);
        AssertSame(LogValue.From((ushort)65000), (ushort)65000);
        AssertSame(LogValue.From((byte)200), (byte)200);
        AssertSame(LogValue.From((sbyte)-5), (sbyte)-5);
        AssertSame(LogValue.From('\u00e9'), '\u00e9');
        AssertSame(LogValue.From(Color.Red), Color.Red);
        AssertSame(LogValue.From(Wide.Top), Wide.Top);
        AssertSame(LogValue.From(text), text);
        AssertSame(LogValue.From(other), other);
        AssertSame(LogValue.From<object?>(null), null);
        AssertSame(LogValue.From((int?)5), (int?)5);
        // A value type with no kind of its own is kept boxed, as an object.
        object point = (X: 1, Y: 2);
        var boxed = LogValue.FromObject(point);
        Assert.Equal(LogValueKind.Object, boxed.Kind);
        Assert.Same(point, boxed.Ref);
    }
}
