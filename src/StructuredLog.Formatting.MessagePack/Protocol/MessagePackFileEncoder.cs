using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace StructuredLog.Formatting.MessagePack.Protocol;

/// <summary>One file's state: which symbol definitions the file already holds; the others pass through once.</summary>
internal sealed class MessagePackFileEncoder : ILogFileEncoder
{
    // Symbol ids are numbered from 1 by each formatter: a bit per id says whether this file holds its definition.
    private const uint MaxBitmapId = 1 << 22; // 512 KB of bits at most; rarer larger ids go to a set
    private ulong[] _defined = new ulong[64];
    private HashSet<uint>? _large;

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
        // Events of one template and category start with the same definitions (the formatter copies them as
        // one block). Once this file holds all of them, the next event that starts with the same bytes skips
        // them with one comparison: an id's definition is always the same bytes, and a file never forgets one.
        int known = _knownPrefixLength;
        if (known > 0 && payload.StartsWith(_knownPrefix.AsSpan(0, known))) payload = payload[known..];

        // Leading definitions have the fixed shape 0x93 0x00 0xce <uint32 id> <str>.
        var all = payload;
        bool anyNew = false;
        while (payload.Length >= 8 && payload[0] == 0x93 && payload[1] == 0x00 && payload[2] == 0xce)
        {
            uint id = BinaryPrimitives.ReadUInt32BigEndian(payload[3..]);
            int length = 7 + StrLength(payload[7..]);
            if (Define(id))
            {
                Copy(payload[..length], output);
                anyNew = true;
            }
            payload = payload[length..];
        }
        int definitions = all.Length - payload.Length;
        if (definitions > 0 && !anyNew && definitions <= MaxKnownPrefix)
        {
            if (_knownPrefix.Length < definitions) _knownPrefix = new byte[MaxKnownPrefix];
            all[..definitions].CopyTo(_knownPrefix);
            _knownPrefixLength = definitions;
        }
        Copy(payload, output);
    }

    private const int MaxKnownPrefix = 4096;
    private byte[] _knownPrefix = [];
    private int _knownPrefixLength;

    /// <summary>Marks <paramref name="id"/> as defined in this file; false when it already was.</summary>
    private bool Define(uint id)
    {
        if (id >= MaxBitmapId) return (_large ??= new HashSet<uint>()).Add(id);
        uint word = id >> 6;
        if (word >= (uint)_defined.Length) Array.Resize(ref _defined, (int)Math.Max(word + 1, (uint)_defined.Length * 2));
        ulong bit = 1UL << (int)(id & 63);
        if ((_defined[word] & bit) != 0) return false;
        _defined[word] |= bit;
        return true;
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
