using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>Writes one message with its frame (see <see cref="MessageFraming"/>).</summary>
internal static class Framing
{
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> message, MessageFraming framing)
    {
        switch (framing)
        {
            case MessageFraming.OctetCounting:
                {
                    var span = output.GetSpan(12);
                    message.Length.TryFormat(span, out int w, default, CultureInfo.InvariantCulture);
                    span[w++] = (byte)' ';
                    output.Advance(w);
                    break;
                }
            case MessageFraming.LengthPrefix:
                BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), message.Length);
                output.Advance(4);
                break;
        }
        message.CopyTo(output.GetSpan(message.Length));
        output.Advance(message.Length);
        if (framing == MessageFraming.LineFeed && (message.IsEmpty || message[^1] != (byte)'\n'))
        {
            output.GetSpan(1)[0] = (byte)'\n';
            output.Advance(1);
        }
    }

    /// <summary>Removes one trailing LF (the line formatters end each event with one; octet counting and datagrams do not want it).</summary>
    public static ReadOnlySpan<byte> TrimNewline(ReadOnlySpan<byte> message) =>
        message.Length > 0 && message[^1] == (byte)'\n' ? message[..^1] : message;
}
