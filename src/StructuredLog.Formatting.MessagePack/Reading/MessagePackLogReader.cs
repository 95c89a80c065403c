using StructuredLog.Events;
using System.Text;
using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using MessagePack;
using StructuredLog.Formatting.MessagePack.Protocol;

namespace StructuredLog.Formatting.MessagePack;

/// <summary>
/// Streams events back from the MessagePack log format. <see cref="TryRead"/> returns false when no
/// complete record is available yet; call it again after the stream grew to follow a file being written.
/// A partial record at the end (a torn tail, or one still being written) is never returned.
/// </summary>
public sealed class MessagePackLogReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Dictionary<uint, string> _symbols = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private long _consumed;

    /// <summary>Reads from <paramref name="stream"/> (a file, a decompression stream...).</summary>
    public MessagePackLogReader(Stream stream, bool leaveOpen = false)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes of complete records consumed so far.</summary>
    public long Position => _consumed;

    /// <summary>Bytes read past <see cref="Position"/> that do not form a complete record yet.</summary>
    public int PendingBytes => _end - _start;

    /// <summary>Reads every event of <paramref name="stream"/>.</summary>
    public static IEnumerable<LogRecord> ReadAll(Stream stream)
    {
        using var reader = new MessagePackLogReader(stream, leaveOpen: true);
        while (reader.TryRead(out var record)) yield return record;
    }

    /// <summary>The next event, or false when none is complete in what the stream holds now.</summary>
    /// <exception cref="InvalidDataException">The data is not this format.</exception>
    public bool TryRead([NotNullWhen(true)] out LogRecord? record)
    {
        while (true)
        {
            var window = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
            int length = CompleteLength(window);
            if (length > 0)
            {
                var item = window[..length];
                _start += length;
                _consumed += length;
                record = Decode(item);
                if (record is not null) return true;
                continue; // a definition or header
            }
            if (length < 0) throw new InvalidDataException($"Not a StructuredLog MessagePack record at byte {_consumed}");
            if (!Fill())
            {
                record = null;
                return false;
            }
        }
    }

    /// <summary>The length of the complete top-level value at the start of <paramref name="data"/>; 0 when it is incomplete, -1 when it is not a record.</summary>
    private static int CompleteLength(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty) return 0;
        byte first = data.Span[0];
        if (first is not (>= 0x90 and <= 0x9f or 0xdc or 0xdd)) return -1; // every record is an array
        var reader = new MessagePackReader(data);
        try
        {
            reader.Skip();
            return (int)reader.Consumed;
        }
        catch (EndOfStreamException)
        {
            return 0;
        }
        catch (MessagePackSerializationException)
        {
            return -1;
        }
    }

    private bool Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += n;
        return n > 0;
    }

    private LogRecord? Decode(ReadOnlyMemory<byte> item)
    {
        try
        {
            var r = new MessagePackReader(item);
            int fields = r.ReadArrayHeader();
            if (fields == 0) return null;
            int kind = r.ReadInt32();
            switch (kind)
            {
                case RecordLayout.SymbolKind:
                    {
                        uint id = r.ReadUInt32();
                        _symbols[id] = r.ReadString() ?? "";
                        return null;
                    }
                case RecordLayout.EventKind:
                    return DecodeEvent(ref r, fields);
                default:
                    return null; // the header, or a record kind from a newer version
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or KeyNotFoundException)
        {
            throw new InvalidDataException($"Malformed record at byte {_consumed - item.Length}: {ex.Message}", ex);
        }
    }

    private LogRecord DecodeEvent(ref MessagePackReader r, int fields)
    {
        var timestamp = r.ReadDateTime();
        var level = (LogLevel)r.ReadInt32();
        string category = ReadSymbol(ref r) ?? "";
        string template = ReadSymbol(ref r) ?? "";
        // nil: the message is the template text; true: render it from the template and the values; else the text.
        string? message = r.TryReadNil() ? null : r.NextMessagePackType == MessagePackType.Boolean && r.ReadBoolean() ? RenderLater : r.ReadString();
        string? exception = r.TryReadNil() ? null : r.ReadString();
        ActivityTraceId traceId = default;
        ActivitySpanId spanId = default;
        if (!r.TryReadNil()) traceId = ActivityTraceId.CreateFromBytes(ReadBytes(ref r));
        if (!r.TryReadNil()) spanId = ActivitySpanId.CreateFromBytes(ReadBytes(ref r));
        var flags = (ActivityTraceFlags)r.ReadInt32();
        int eventId = r.ReadInt32();
        string? eventName = ReadSymbol(ref r);
        int count = r.ReadMapHeader();
        var props = new KeyValuePair<string, object?>[count];
        for (int i = 0; i < count; i++)
        {
            string name = ReadSymbol(ref r) ?? "";
            props[i] = new(name, ReadValue(ref r));
        }
        for (int i = RecordLayout.EventFields; i < fields; i++) r.Skip(); // fields added by newer versions
        return new LogRecord
        {
            Timestamp = timestamp,
            Level = level,
            Category = category,
            Template = template,
            Message = ReferenceEquals(message, RenderLater) ? Render(template, props) : message ?? template,
            Exception = exception,
            TraceId = traceId,
            SpanId = spanId,
            TraceFlags = flags,
            EventId = eventId,
            EventName = eventName,
            Properties = props,
        };
    }

    private static readonly string RenderLater = new('\0', 1);

    /// <summary>Renders the message as the writer would have: literal text, each hole's value in its default format.</summary>
    private static string Render(string templateText, KeyValuePair<string, object?>[] properties)
    {
        var template = MessageTemplate.Parse(templateText);
        var output = new ArrayBufferWriter<byte>(templateText.Length + 32);
        foreach (var token in template.Tokens)
        {
            if (!token.IsHole)
            {
                LogValue.From(token.Text).WriteUtf8(output);
                continue;
            }
            int found = Array.FindIndex(properties, p => p.Key == token.PropertyName);
            if (found < 0) LogValue.From(token.Text).WriteUtf8(output);
            else LogValue.FromObject(properties[found].Value).WriteUtf8(output);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static byte[] ReadBytes(ref MessagePackReader r) => r.ReadBytes()?.ToArray() ?? [];

    private string? ReadSymbol(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return null;
        if (r.NextMessagePackType == MessagePackType.String) return r.ReadString();
        uint id = r.ReadUInt32();
        return _symbols.TryGetValue(id, out var s) ? s : throw new InvalidDataException($"symbol {id} used before its definition");
    }

    private static object? ReadValue(ref MessagePackReader r)
    {
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Nil: r.ReadNil(); return null;
            case MessagePackType.Boolean: return r.ReadBoolean();
            case MessagePackType.Integer:
                if (r.NextCode == MessagePackCode.UInt64)
                {
                    ulong u = r.ReadUInt64();
                    return u > long.MaxValue ? u : (long)u;
                }
                return r.ReadInt64();
            case MessagePackType.Float:
                if (r.NextCode == MessagePackCode.Float32) return r.ReadSingle();
                return r.ReadDouble();
            case MessagePackType.String: return r.ReadString();
            case MessagePackType.Extension:
                {
                    var header = r.ReadExtensionFormatHeader();
                    var data = r.ReadRaw(header.Length).ToArray();
                    return header.TypeCode switch
                    {
                        RecordLayout.DateTimeExt => DateTime.FromBinary(BinaryPrimitives.ReadInt64LittleEndian(data)),
                        RecordLayout.DateTimeOffsetExt => new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(data), TimeSpan.Zero)
                            .ToOffset(TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(8)))),
                        RecordLayout.TimeSpanExt => new TimeSpan(BinaryPrimitives.ReadInt64LittleEndian(data)),
                        RecordLayout.GuidExt => new Guid(data),
                        RecordLayout.DecimalExt => new decimal([
                            BinaryPrimitives.ReadInt32LittleEndian(data), BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4)),
                            BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(8)), BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(12))]),
                        RecordLayout.RawJsonExt => new RawJsonValue(data),
                        _ => data,
                    };
                }
            default:
                r.Skip();
                return null;
        }
    }

    /// <summary>The length of the prefix of <paramref name="file"/> made of complete records (for torn-tail repair).</summary>
    public static long MeasureIntactLength(Stream file)
    {
        using var reader = new MessagePackLogReader(file, leaveOpen: true);
        try
        {
            while (true)
            {
                var window = new ReadOnlyMemory<byte>(reader._buffer, reader._start, reader._end - reader._start);
                int length = CompleteLength(window);
                if (length > 0)
                {
                    reader._start += length;
                    reader._consumed += length;
                    continue;
                }
                if (length < 0 || !reader.Fill()) return reader._consumed;
            }
        }
        catch (IOException)
        {
            return reader._consumed;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
