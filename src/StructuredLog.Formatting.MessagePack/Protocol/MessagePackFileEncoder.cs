using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace StructuredLog.Formatting.MessagePack.Protocol;

/// <summary>One file's state: which symbol definitions the file already holds; the others pass through once.</summary>
internal sealed class MessagePackFileEncoder : ILogFileEncoder
{
    private readonly HashSet<uint> _defined = new();

    public void WriteHeader(IBufferWriter<byte> output)
    {
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(3);
        w.Write(RecordLayout.HeaderKind);
        w.Write(RecordLayout.FormatName);
        w.Write(RecordLayout.Version);
        w.Flush();
    }

    public void Append(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        // Leading definitions have the fixed shape 0x93 0x00 0xce <uint32 id> <str>.
        while (payload.Length >= 8 && payload[0] == 0x93 && payload[1] == 0x00 && payload[2] == 0xce)
        {
            uint id = BinaryPrimitives.ReadUInt32BigEndian(payload[3..]);
            int length = 7 + StrLength(payload[7..]);
            if (_defined.Add(id)) Copy(payload[..length], output);
            payload = payload[length..];
        }
        Copy(payload, output);
    }

    private static int StrLength(ReadOnlySpan<byte> s)
    {
        byte code = s[0];
        if (code is >= 0xa0 and <= 0xbf) return 1 + (code & 0x1f);
        return code switch
        {
            0xd9 => 2 + s[1],
            0xda => 3 + BinaryPrimitives.ReadUInt16BigEndian(s[1..]),
            0xdb => 5 + (int)BinaryPrimitives.ReadUInt32BigEndian(s[1..]),
            _ => throw new InvalidDataException("malformed symbol definition"),
        };
    }

    private static void Copy(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
