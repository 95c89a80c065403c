using System.Text;

namespace StructuredLog.OpenTelemetry.Tests.Support;

/// <summary>
/// Decodes an OTLP/HTTP protobuf <c>ExportLogsServiceRequest</c> by hand (field numbers from
/// opentelemetry-proto: collector/logs/v1, logs/v1, common/v1, resource/v1).
/// </summary>
public static class OtlpLogsDecoder
{
    public static List<OtlpLogRecord> Decode(ReadOnlySpan<byte> request)
    {
        var records = new List<OtlpLogRecord>();
        var r = new ProtobufReader(request);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2) ReadResourceLogs(r.ReadBytes(), records);
            else r.Skip(wire);
        }
        return records;
    }

    private static void ReadResourceLogs(ReadOnlySpan<byte> data, List<OtlpLogRecord> records)
    {
        var resource = new Dictionary<string, object?>(StringComparer.Ordinal);
        int first = records.Count;
        var r = new ProtobufReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2)
            {
                var rr = new ProtobufReader(r.ReadBytes());
                while (!rr.End)
                {
                    var (f, w) = rr.ReadTag();
                    if (f == 1 && w == 2) AddKeyValue(rr.ReadBytes(), resource);
                    else rr.Skip(w);
                }
            }
            else if (field == 2 && wire == 2) ReadScopeLogs(r.ReadBytes(), records);
            else r.Skip(wire);
        }
        for (int i = first; i < records.Count; i++)
            foreach (var kv in resource) records[i].Resource[kv.Key] = kv.Value;
    }

    private static void ReadScopeLogs(ReadOnlySpan<byte> data, List<OtlpLogRecord> records)
    {
        string? scopeName = null;
        int first = records.Count;
        var r = new ProtobufReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2)
            {
                var s = new ProtobufReader(r.ReadBytes());
                while (!s.End)
                {
                    var (f, w) = s.ReadTag();
                    if (f == 1 && w == 2) scopeName = s.ReadString();
                    else s.Skip(w);
                }
            }
            else if (field == 2 && wire == 2) records.Add(ReadLogRecord(r.ReadBytes()));
            else r.Skip(wire);
        }
        for (int i = first; i < records.Count; i++) records[i].ScopeName = scopeName;
    }

    private static OtlpLogRecord ReadLogRecord(ReadOnlySpan<byte> data)
    {
        var record = new OtlpLogRecord();
        var r = new ProtobufReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1 when wire == 1: record.TimeUnixNano = r.ReadFixed64(); break;
                case 2 when wire == 0: record.SeverityNumber = (int)r.ReadVarint(); break;
                case 3 when wire == 2: record.SeverityText = r.ReadString(); break;
                case 5 when wire == 2: record.Body = ReadAnyValue(r.ReadBytes()); break;
                case 6 when wire == 2: AddKeyValue(r.ReadBytes(), record.Attributes); break;
                case 8 when wire == 5: record.Flags = r.ReadFixed32(); break;
                case 9 when wire == 2: record.TraceId = Convert.ToHexStringLower(r.ReadBytes()); break;
                case 10 when wire == 2: record.SpanId = Convert.ToHexStringLower(r.ReadBytes()); break;
                case 11 when wire == 1: record.ObservedTimeUnixNano = r.ReadFixed64(); break;
                case 12 when wire == 2: record.EventName = r.ReadString(); break;
                default: r.Skip(wire); break;
            }
        }
        return record;
    }

    private static void AddKeyValue(ReadOnlySpan<byte> data, Dictionary<string, object?> into)
    {
        string? key = null;
        object? value = null;
        var r = new ProtobufReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == 2) key = r.ReadString();
            else if (field == 2 && wire == 2) value = ReadAnyValue(r.ReadBytes());
            else r.Skip(wire);
        }
        if (key is not null) into[key] = value;
    }

    /// <summary>AnyValue: string 1, bool 2, int64 3, double 4, array 5, kvlist 6, bytes 7.</summary>
    private static object? ReadAnyValue(ReadOnlySpan<byte> data)
    {
        object? value = null;
        var r = new ProtobufReader(data);
        while (!r.End)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1 when wire == 2: value = r.ReadString(); break;
                case 2 when wire == 0: value = r.ReadVarint() != 0; break;
                case 3 when wire == 0: value = (long)r.ReadVarint(); break;
                case 4 when wire == 1: value = BitConverter.UInt64BitsToDouble(r.ReadFixed64()); break;
                case 5 when wire == 2:
                    {
                        var items = new List<object?>();
                        var a = new ProtobufReader(r.ReadBytes());
                        while (!a.End)
                        {
                            var (f, w) = a.ReadTag();
                            if (f == 1 && w == 2) items.Add(ReadAnyValue(a.ReadBytes()));
                            else a.Skip(w);
                        }
                        value = items;
                        break;
                    }
                case 6 when wire == 2:
                    {
                        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                        var m = new ProtobufReader(r.ReadBytes());
                        while (!m.End)
                        {
                            var (f, w) = m.ReadTag();
                            if (f == 1 && w == 2) AddKeyValue(m.ReadBytes(), map);
                            else m.Skip(w);
                        }
                        value = map;
                        break;
                    }
                case 7 when wire == 2: value = r.ReadBytes().ToArray(); break;
                default: r.Skip(wire); break;
            }
        }
        return value;
    }

    public static string Describe(OtlpLogRecord r)
    {
        var sb = new StringBuilder();
        sb.Append($"sev={r.SeverityNumber}/{r.SeverityText} body={r.Body} trace={r.TraceId} span={r.SpanId} flags={r.Flags} scope={r.ScopeName} event={r.EventName} time={r.Timestamp:O}");
        foreach (var kv in r.Attributes) sb.Append($" {kv.Key}={kv.Value}");
        return sb.ToString();
    }
}
