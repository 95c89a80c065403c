using FsCheck;
using FsCheck.Fluent;
using StructuredLog.Events;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// Inputs shared by the tests that compare a hand-written formatter with its reference
/// (<see cref="JsonWriterEquivalenceTests"/>, <see cref="TextWriterEquivalenceTests"/>): records, nasty
/// strings, and a value of every kind (with its awkward edges and a few thousand random numbers).
/// </summary>
internal static class FormatterCases
{
    public enum Color { Red, Green }

    public sealed class Throwing
    {
        public override string ToString() => throw new InvalidOperationException("boom");
    }

    public sealed class Order
    {
        public int Id { get; set; } = 7;
        public string Name { get; set; } = "a\"b\r\n";
    }

    /// <summary>The same bytes, or a failure that shows the two texts (and then the bytes, for differing invalid UTF-8).</summary>
    public static void AssertSameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (actual.SequenceEqual(expected)) return;
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
        Assert.Equal(expected.ToArray(), actual.ToArray());
    }

    /// <summary>
    /// Every ASCII character at the end (<c>Last</c>: "aa…a" + c) and at the start (<c>First</c>: c + "bb…b") of
    /// strings of each of <paramref name="lengths"/>, for fast paths that copy short plain strings.
    /// </summary>
    public static IEnumerable<(int Length, string Last, string First)> AsciiCharactersAround(params int[] lengths)
    {
        for (int c = 0; c < 128; c++)
        {
            foreach (int length in lengths)
                yield return (length, new string('a', length - 1) + (char)c, (char)c + new string('b', length - 1));
        }
    }

    /// <summary>A record of <paramref name="template"/> whose properties are all arguments.</summary>
    public static EventRecord Record(string category, string template, long ticks, params LogProperty[] args)
    {
        var r = new EventRecord
        {
            TimestampTicks = ticks,
            Level = LogLevel.Info,
            Category = category,
            Template = MessageTemplate.Parse(template),
        };
        foreach (var p in args) r.AddProperty(p);
        r.ArgumentCount = r.PropertyCount;
        return r;
    }

    /// <summary>Strings made of what escapes in some format (controls, quotes, separators, lone surrogates...), arbitrary ones, and long ones.</summary>
    public static Arbitrary<string> NastyStrings()
    {
        var chars = Gen.OneOf(
            Gen.Elements('\r', '\n', '\t', '"', '\\', '\u0000', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00a3', '\u2028', '\u2029', '\u2014', '\u20ac',
                '<', '>', '&', '\'', '+', '`', '{', '}', '=', ' ', '~', 'é', '\uD83D', '\uDE00', '\uFFFF', '\uFEFF', '\uE000', '\u0300'),
            ArbMap.Default.GeneratorFor<char>());
        var strings = Gen.OneOf(
            chars.ArrayOf().Select(a => new string(a)),
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            Gen.Choose(250, 1200).Select(n => new string('é', n) + "\uD83D\uDE00\r\n" + new string('x', n)));
        return strings.ToArbitrary();
    }

    /// <summary>One value of every kind, the edges of each, and random doubles, floats, decimals and integers (fixed seed).</summary>
    public static List<LogValue> ValuesOfEveryKind()
    {
        var values = new List<LogValue>
        {
            LogValue.Null, LogValue.From(true), LogValue.From(false), LogValue.From((byte)200), LogValue.From((sbyte)-5),
            LogValue.From((short)-300), LogValue.From((ushort)60000), LogValue.From(int.MinValue), LogValue.From(int.MaxValue), LogValue.From(0),
            LogValue.From(uint.MaxValue), LogValue.From(long.MinValue), LogValue.From(long.MaxValue), LogValue.From(ulong.MaxValue),
            LogValue.From(0.1 + 0.2), LogValue.From(-0.0), LogValue.From(double.Epsilon), LogValue.From(double.MaxValue), LogValue.From(-double.MaxValue),
            LogValue.From(1e21), LogValue.From(1e-7), LogValue.From(double.NaN), LogValue.From(double.PositiveInfinity), LogValue.From(double.NegativeInfinity),
            LogValue.From(3.4028235e38f), LogValue.From(1.1f), LogValue.From(float.NaN), LogValue.From(-float.Epsilon),
            LogValue.From(1.0m), LogValue.From(-79228162514264337593543950335m), LogValue.From(0.0000000000000000000000000001m),
            LogValue.From('"'), LogValue.From('\n'), LogValue.From('\u2028'), LogValue.From(new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc)),
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
        for (int i = 0; i < 500; i++) values.Add(LogValue.From(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64)));
        for (int i = 0; i < 500; i++) values.Add(LogValue.From(random.Next(int.MinValue, int.MaxValue) >> random.Next(32)));
        return values;
    }
}
