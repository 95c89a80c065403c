using System.Buffers;
using System.Text;

namespace StructuredLog.Formatting.MessagePack.Tests.Support;

public static class Conversion
{
    /// <summary>Reads MessagePack bytes back and writes each event as the JSON formatter would.</summary>
    public static List<string> ToJsonLines(byte[] messagePack)
    {
        var lines = new List<string>();
        foreach (var record in MessagePackLogReader.ReadAll(new MemoryStream(messagePack)))
        {
            var buffer = new ArrayBufferWriter<byte>();
            LogRecordWriter.WriteJsonLine(record, buffer);
            lines.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        return lines;
    }
}
