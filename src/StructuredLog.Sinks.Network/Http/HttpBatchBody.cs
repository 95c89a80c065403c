using System.Buffers;
using System.Text.Json;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Http;

/// <summary>Lays out a batch of formatted events as one request body (see <see cref="HttpBatchFormat"/>).</summary>
internal static class HttpBatchBody
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ContentType(HttpBatchFormat format) => format switch
    {
        HttpBatchFormat.NdJson or HttpBatchFormat.ElasticsearchBulk => "application/x-ndjson",
        _ => "application/json",
    };

    public static void Write(IBufferWriter<byte> output, IReadOnlyList<OutgoingEvent> batch, HttpBatchFormat format, byte[]? bulkAction)
    {
        switch (format)
        {
            case HttpBatchFormat.NdJson:
                for (int i = 0; i < batch.Count; i++) Line(output, batch[i].Payload.Span);
                break;
            case HttpBatchFormat.JsonArray:
                Copy(output, "["u8);
                for (int i = 0; i < batch.Count; i++)
                {
                    if (i > 0) Copy(output, ","u8);
                    Copy(output, batch[i].Payload.Span.Trim(" \r\n\t"u8));
                }
                Copy(output, "]"u8);
                break;
            case HttpBatchFormat.ElasticsearchBulk:
                // https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html: action line, source line, each ending with \n.
                for (int i = 0; i < batch.Count; i++)
                {
                    Copy(output, bulkAction);
                    Line(output, batch[i].Payload.Span);
                }
                break;
            case HttpBatchFormat.LokiPush:
                WriteLoki(output, batch);
                break;
        }
    }

    /// <summary>The bulk action line, e.g. <c>{"create":{"_index":"logs"}}\n</c> (create: data streams accept only that).</summary>
    public static byte[] BulkAction(string index)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("create");
            json.WriteString("_index", index);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        return buffer.WrittenSpan.ToArray();
    }

    // https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs:
    // {"streams":[{"stream":{"label":"value"},"values":[["<unix epoch ns as string>","<line>"], ...]}]}
    private static void WriteLoki(IBufferWriter<byte> output, IReadOnlyList<OutgoingEvent> batch)
    {
        var streams = new List<(ReadOnlyMemory<byte> Labels, List<int> Events)>();
        for (int i = 0; i < batch.Count; i++)
        {
            var payload = batch[i].Payload;
            int nl = payload.Span.IndexOf((byte)'\n');
            var labels = nl < 0 ? "{}"u8.ToArray() : payload[..nl];
            int s = streams.FindIndex(x => x.Labels.Span.SequenceEqual(labels.Span));
            if (s < 0) { streams.Add((labels, new List<int>())); s = streams.Count - 1; }
            streams[s].Events.Add(i);
        }
        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteStartArray("streams");
        Span<char> ns = stackalloc char[24];
        foreach (var (labels, events) in streams)
        {
            json.WriteStartObject();
            json.WritePropertyName("stream");
            json.WriteRawValue(labels.Span, skipInputValidation: false);
            json.WriteStartArray("values");
            foreach (int i in events)
            {
                var payload = batch[i].Payload.Span;
                int nl = payload.IndexOf((byte)'\n');
                var line = Framing.TrimNewline(nl < 0 ? payload : payload[(nl + 1)..]);
                long nanos = (batch[i].TimestampTicks - DateTime.UnixEpoch.Ticks) * 100;
                nanos.TryFormat(ns, out int w, default, System.Globalization.CultureInfo.InvariantCulture);
                json.WriteStartArray();
                json.WriteStringValue(ns[..w]);
                json.WriteStringValue(line);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Line(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        Copy(output, Framing.TrimNewline(payload));
        Copy(output, "\n"u8);
    }

    private static void Copy(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
