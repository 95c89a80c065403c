using System.Buffers;
using System.Text.Json;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks.Network.Http;

/// <summary>
/// The per-event formatter of the Loki preset: the stream's label set as a JSON object on the first line
/// (static labels, <c>level</c>, and the promoted properties present on the event; names made valid for
/// Prometheus, sorted), then the inner formatter's line. <see cref="HttpBatchSink"/> groups events by that
/// first line into Loki streams.
/// </summary>
internal sealed class LokiEntryFormatter : ILogFormatter
{
    private readonly ILogFormatter _inner;
    private readonly KeyValuePair<string, string>[] _static;
    private readonly string[] _promoted;
    private readonly bool _level;

    public LokiEntryFormatter(ILogFormatter inner, IDictionary<string, string> labels, IList<string> promoted, bool level)
    {
        _inner = inner;
        _static = labels.Select(kv => new KeyValuePair<string, string>(LabelName(kv.Key), kv.Value)).ToArray();
        _promoted = promoted.ToArray();
        _level = level;
    }

    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in _static) labels[kv.Key] = kv.Value;
        if (_level) labels["level"] = LevelName(e.Level);
        foreach (var name in _promoted)
        {
            if (e.TryGetProperty(name, out var value)) labels[LabelName(name)] = value.ToString();
        }
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            foreach (var kv in labels) json.WriteString(kv.Key, kv.Value);
            json.WriteEndObject();
        }
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
        // Not e.GetFormatted(_inner): formatting is not re-entrant on the event's arena.
        _inner.Format(e, output);
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Info => "info",
        LogLevel.Warn => "warn",
        LogLevel.Error => "error",
        _ => "critical",
    };

    /// <summary>Prometheus label names: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    internal static string LabelName(string name)
    {
        if (string.IsNullOrEmpty(name)) return "_";
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (i > 0 && c is >= '0' and <= '9');
            if (!ok) chars[i] = '_';
        }
        return new string(chars);
    }
}
