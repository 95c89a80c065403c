using System.Buffers;
using FsCheck.Xunit;
using MessagePack;
using StructuredLog.Formatting.MessagePack.Protocol;

namespace StructuredLog.Formatting.MessagePack.Tests.Protocol;

/// <summary>The formatter's own MessagePack writer against MessagePack-CSharp's, value by value: the same bytes.</summary>
public sealed class SpanWriterTests
{
    private delegate void Ours(ref MessagePackSpanWriter w);
    private delegate void Theirs(ref MessagePackWriter w);

    private static void Same(Ours ours, Theirs theirs)
    {
        var a = new ArrayBufferWriter<byte>();
        var w1 = new MessagePackSpanWriter(a);
        ours(ref w1);
        w1.Complete();
        var b = new ArrayBufferWriter<byte>();
        var w2 = new MessagePackWriter(b);
        theirs(ref w2);
        w2.Flush();
        Assert.Equal(Convert.ToHexString(b.WrittenSpan), Convert.ToHexString(a.WrittenSpan));
    }

    [Property(MaxTest = 500)]
    public void Integers_take_the_same_smallest_encoding(long value, ulong unsigned, int small)
    {
        foreach (long v in (long[])[value, small, value >> 40, value >> 56, -value >> 50, 0, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, -128, -129, -32768, -32769, uint.MaxValue, (long)uint.MaxValue + 1, int.MinValue, (long)int.MinValue - 1, long.MinValue, long.MaxValue])
            Same((ref MessagePackSpanWriter w) => w.Write(v), (ref MessagePackWriter w) => w.Write(v));
        foreach (ulong v in (ulong[])[unsigned, unsigned >> 40, 0, 127, 128, 255, 256, 65535, 65536, uint.MaxValue, ulong.MaxValue])
            Same((ref MessagePackSpanWriter w) => w.Write(v), (ref MessagePackWriter w) => w.Write(v));
        Same((ref MessagePackSpanWriter w) => w.Write(small), (ref MessagePackWriter w) => w.Write(small));
    }

    [Property(MaxTest = 300)]
    public void Reals_booleans_nil_and_headers_match(double real, float single, bool flag, byte n)
    {
        Same((ref MessagePackSpanWriter w) => w.Write(real), (ref MessagePackWriter w) => w.Write(real));
        Same((ref MessagePackSpanWriter w) => w.Write(single), (ref MessagePackWriter w) => w.Write(single));
        Same((ref MessagePackSpanWriter w) => w.Write(flag), (ref MessagePackWriter w) => w.Write(flag));
        Same((ref MessagePackSpanWriter w) => w.WriteNil(), (ref MessagePackWriter w) => w.WriteNil());
        foreach (int count in (int[])[n, 15, 16, 65535, 65536])
        {
            Same((ref MessagePackSpanWriter w) => w.WriteArrayHeader(count), (ref MessagePackWriter w) => w.WriteArrayHeader(count));
            Same((ref MessagePackSpanWriter w) => w.WriteMapHeader(count), (ref MessagePackWriter w) => w.WriteMapHeader(count));
        }
    }

    [Property(MaxTest = 300)]
    public void Strings_binary_and_extensions_match(string? text, byte[]? bytes, sbyte type)
    {
        text ??= "";
        bytes ??= [];
        foreach (string s in (string[])[text, text + new string('x', 40), text + new string('é', 200), new string('a', 31), new string('a', 32), new string('b', 70_000), "\ud800 lone", "tail \udfff"])
        {
            Same((ref MessagePackSpanWriter w) => w.Write(s), (ref MessagePackWriter w) => w.Write(s));
            var utf8 = System.Text.Encoding.UTF8.GetBytes(s);
            Same((ref MessagePackSpanWriter w) => w.WriteString(utf8), (ref MessagePackWriter w) => w.WriteString(utf8));
        }
        foreach (var data in (byte[][])[bytes, new byte[1], new byte[2], new byte[4], new byte[8], new byte[16], new byte[3], new byte[300], new byte[70_000]])
        {
            Same((ref MessagePackSpanWriter w) => w.Write(data), (ref MessagePackWriter w) => w.Write(data));
            Same((ref MessagePackSpanWriter w) => w.WriteExtension(type, data),
                (ref MessagePackWriter w) => { w.WriteExtensionFormatHeader(new ExtensionHeader(type, data.Length)); w.WriteRaw(data); });
        }
    }

    [Property(MaxTest = 300)]
    public void Timestamps_match(DateTime when, long ticks)
    {
        foreach (var t in (DateTime[])[when, new DateTime(Math.Abs(ticks % DateTime.MaxValue.Ticks)), DateTime.UnixEpoch, DateTime.UnixEpoch.AddSeconds(1),
                     DateTime.UnixEpoch.AddTicks(-1), DateTime.MinValue, DateTime.MaxValue, DateTime.UnixEpoch.AddSeconds(uint.MaxValue), DateTime.UnixEpoch.AddSeconds((double)uint.MaxValue + 1), new DateTime(2026, 11, 26, 1, 2, 3, DateTimeKind.Utc).AddTicks(4567)])
        {
            var utc = DateTime.SpecifyKind(t, DateTimeKind.Utc);
            Same((ref MessagePackSpanWriter w) => w.Write(utc), (ref MessagePackWriter w) => w.Write(utc));
        }
    }

    [Fact]
    public void A_sequence_of_writes_crossing_buffer_boundaries_matches()
    {
        var rnd = new Random(42);
        Same((ref MessagePackSpanWriter w) =>
        {
            var r = new Random(42);
            for (int i = 0; i < 5000; i++) { w.Write(r.NextInt64() >> r.Next(64)); w.Write(new string('z', r.Next(300))); w.Write(r.NextDouble()); }
        }, (ref MessagePackWriter w) =>
        {
            var r = new Random(42);
            for (int i = 0; i < 5000; i++) { w.Write(r.NextInt64() >> r.Next(64)); w.Write(new string('z', r.Next(300))); w.Write(r.NextDouble()); }
        });
    }
}
