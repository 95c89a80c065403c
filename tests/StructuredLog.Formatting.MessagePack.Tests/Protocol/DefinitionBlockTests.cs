using System.Buffers;
using System.Buffers.Binary;
using StructuredLog.Events;
using StructuredLog.Formatting.MessagePack.Tests.Support;

namespace StructuredLog.Formatting.MessagePack.Tests.Protocol;

/// <summary>
/// The usual event copies its definitions as one cached block per template and category, and the file
/// encoder skips a leading run of definitions it has already written with one comparison. Both must give
/// exactly the bytes of the general path: definitions gathered symbol by symbol, and parsed one by one.
/// </summary>
public sealed class DefinitionBlockTests
{
    /// <summary>Events that take the block path and events that cannot (event names, scopes, enrichment, renamed properties, many categories).</summary>
    private static CapturingSink Capture()
    {
        var sink = new CapturingSink(new MessagePackFormatter(), new MessagePackFormatter { UseDefinitionBlocks = false }, new MessagePackFormatter(maxSymbols: 3));
        using (var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).FlushOnProcessExit(false).Build())
        {
            var orders = pipeline.GetLogger("Orders");
            var payments = pipeline.GetLogger("Payments");
            for (int i = 0; i < 40; i++)
            {
                orders.Info("Processed order {A} in {B} ms for {C}", i, i * 0.25, "customer-" + i);
                payments.Info("Processed order {A} in {B} ms for {C}", i, i * 0.5, "payer");
                if (i % 5 == 0) orders.Info("Shipped {A}", i);
                if (i % 7 == 0) orders.Write(LogLevel.Warn, null, "Named {A}", [new LogProperty("A", LogValue.From(i))], eventId: 3, eventName: "Shipping");
                if (i % 9 == 0)
                {
                    using var scope = orders.BeginScope("RequestId", "r-" + i);
                    orders.Info("Processed order {A} in {B} ms for {C}", i, 1.5, "scoped");
                }
                // More categories for one template than the block cache keeps.
                pipeline.GetLogger("Category" + (i % 12)).Info("Shipped {A}", i);
                // A category whose name is also a property name of the template (one definition, not two).
                pipeline.GetLogger("A").Info("Shipped {A}", i);
                orders.Info($"Interpolated {i} and {"text"}");
            }
        }
        return sink;
    }

    [Fact]
    public void Block_events_are_the_same_bytes_as_the_general_path()
    {
        var sink = Capture();
        Assert.NotEmpty(sink.Events);
        foreach (var row in sink.Events) Assert.Equal(Convert.ToHexString(row[1]), Convert.ToHexString(row[0]));
    }

    [Fact]
    public void A_file_encoder_writes_the_same_bytes_as_parsing_every_definition()
    {
        var sink = Capture();
        foreach (int column in new[] { 0, 2 })
        {
            var formatter = new MessagePackFormatter();
            var encoder = formatter.StartFile();
            var ours = new ArrayBufferWriter<byte>();
            var reference = new ArrayBufferWriter<byte>();
            var defined = new HashSet<uint>();
            foreach (var row in sink.Events)
            {
                encoder.Append(row[column], ours);
                ReferenceAppend(row[column], reference, defined);
            }
            Assert.Equal(Convert.ToHexString(reference.WrittenSpan), Convert.ToHexString(ours.WrittenSpan));
            // And the file reads back: every event, no definition missing.
            var file = new ArrayBufferWriter<byte>();
            var header = formatter.StartFile();
            header.WriteHeader(file);
            file.Write(ours.WrittenSpan);
            var lines = Conversion.ToJsonLines(file.WrittenSpan.ToArray());
            Assert.Equal(sink.Events.Count, lines.Count);
        }
    }

    /// <summary>The encoder's rule, written plainly: keep each id's first definition, drop the rest, copy the event.</summary>
    private static void ReferenceAppend(ReadOnlySpan<byte> payload, ArrayBufferWriter<byte> output, HashSet<uint> defined)
    {
        while (payload.Length >= 8 && payload[0] == 0x93 && payload[1] == 0x00 && payload[2] == 0xce)
        {
            uint id = BinaryPrimitives.ReadUInt32BigEndian(payload[3..]);
            byte code = payload[7];
            int length = 7 + (code is >= 0xa0 and <= 0xbf ? 1 + (code & 0x1f) : code == 0xd9 ? 2 + payload[8] : 3 + BinaryPrimitives.ReadUInt16BigEndian(payload[8..]));
            if (defined.Add(id)) output.Write(payload[..length]);
            payload = payload[length..];
        }
        output.Write(payload);
    }
}
