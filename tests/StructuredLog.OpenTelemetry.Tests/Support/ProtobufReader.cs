using System.Buffers.Binary;

namespace StructuredLog.OpenTelemetry.Tests.Support;

/// <summary>The few protobuf wire-format reads an OTLP decoder needs (varint, fixed32/64, length-delimited).</summary>
public ref struct ProtobufReader
{
    private ReadOnlySpan<byte> _data;

    public ProtobufReader(ReadOnlySpan<byte> data) => _data = data;

    public bool End => _data.IsEmpty;

    public (int Field, int WireType) ReadTag()
    {
        ulong tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_data.IsEmpty) throw new FormatException("truncated varint");
            byte b = _data[0];
            _data = _data[1..];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint too long");
    }

    public ulong ReadFixed64()
    {
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_data);
        _data = _data[8..];
        return v;
    }

    public uint ReadFixed32()
    {
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data);
        _data = _data[4..];
        return v;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        int length = checked((int)ReadVarint());
        var bytes = _data[..length];
        _data = _data[length..];
        return bytes;
    }

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes());

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: _data = _data[8..]; break;
            case 2: ReadBytes(); break;
            case 5: _data = _data[4..]; break;
            default: throw new FormatException("unsupported wire type " + wireType);
        }
    }
}
