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
}
