using System.Buffers;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

public sealed class JsonLineWriterTests
{
    [Fact]
    public void Raw_copies_every_length_exactly_at_every_offset()
    {
        var random = new Random(14);
        for (int length = 0; length <= 100; length++)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                var output = new ArrayBufferWriter<byte>();
                var w = new JsonLineWriter(output);
                for (int i = 0; i < offset; i++) w.Byte((byte)'#');
                w.Raw(bytes);
                w.Byte((byte)'!');
                w.Complete();
                byte[] expected = [.. Enumerable.Repeat((byte)'#', offset), .. bytes, (byte)'!'];
                Assert.Equal(expected, output.WrittenSpan.ToArray());
            }
        }
    }

    [Fact]
    public void Raw_copies_exactly_into_the_pipeline_arena()
    {
        var random = new Random(15);
        var arena = new FormatArena();
        for (int length = 0; length <= 100; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            arena.BeginEvent();
            var w = new JsonLineWriter(arena);
            w.Raw(bytes);
            w.Byte((byte)'!');
            w.Complete();
            var (buffer, offset, count) = arena.EndEvent();
            Assert.Equal([.. bytes, (byte)'!'], buffer.AsSpan(offset, count).ToArray());
        }
    }
}
