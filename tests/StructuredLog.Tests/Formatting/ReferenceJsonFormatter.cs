using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using StructuredLog.Context;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Tests.Formatting;

/// <summary>
/// The JSON formatter as it was built on <see cref="Utf8JsonWriter"/> before the hand-written writer
/// replaced it: kept here as the oracle that the product's <see cref="JsonFormatter"/> must match byte
/// for byte (see <c>JsonWriterEquivalenceTests</c>).
/// </summary>
internal sealed class ReferenceJsonFormatter : ILogFormatter
{
    // The Utf8JsonWriter helpers it shares with the product (values, names, exception text) are
    // JsonFormatter's own, still used by the CSV formatter and the destructurer; the new line writer
    // does not use them, so the comparison stays independent of it.
    private static readonly JavaScriptEncoder Encoder = JsonFormatter.Encoder;

    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    // The rendered message has its own buffer: rendering a destructured hole writes strings through t_scratch.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_message;

    /// <summary>The shared default instance (compact names, rendered message and template included).</summary>
    public static ReferenceJsonFormatter Default { get; } = new();

    /// <summary>Creates a formatter.</summary>
    public ReferenceJsonFormatter(JsonFieldNaming naming = JsonFieldNaming.Compact, bool includeRenderedMessage = true, bool includeTemplate = true)
    {
        Naming = naming;
        IncludeRenderedMessage = includeRenderedMessage;
        IncludeTemplate = includeTemplate;
    }

    /// <summary>The field naming style.</summary>
    public JsonFieldNaming Naming { get; }

    /// <summary>Write the rendered message (<c>@m</c> / <c>body</c>).</summary>
    public bool IncludeRenderedMessage { get; }

    /// <summary>Write the template (<c>@mt</c> / <c>message.template</c>).</summary>
    public bool IncludeTemplate { get; }

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var json = t_writer;
        if (json is null)
        {
            json = t_writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder, SkipValidation = false });
        }
        else
        {
            json.Reset(output);
        }
        if (Naming == JsonFieldNaming.Compact) WriteCompact(json, e);
        else WriteOpenTelemetry(json, e);
        json.Flush();
        var nl = output.GetSpan(1);
        nl[0] = (byte)'\n';
        output.Advance(1);
    }

    private void WriteCompact(Utf8JsonWriter json, in LogEvent e)
    {
        json.WriteStartObject();
        json.WriteString(Names.T, e.Timestamp);
        json.WriteString(Names.L, LevelNames.Get(e.Level));
        var memo = NumberMemo.ForThread();
        memo.Prepare(e);
        if (IncludeRenderedMessage) WriteRendered(json, Names.M, e, memo);
        if (IncludeTemplate) WriteTemplate(json, Names.Mt, e.Template);
        if (e.Exception is { } ex) WriteStringSafe(json, Names.X, JsonFormatter.ExceptionText(ex));
        if (e.HasTrace)
        {
            WriteHex(json, Names.Tr, e.TraceId);
            WriteHex(json, Names.Sp, e.SpanId);
        }
        WriteCached(json, Names.C, e.Category);
        if (e.EventId != 0) json.WriteNumber(Names.I, e.EventId);
        if (e.EventName is { } en) WriteStringSafe(json, Names.En, en);
        WriteProperties(json, e, memo);
        json.WriteEndObject();
    }

    private void WriteOpenTelemetry(Utf8JsonWriter json, in LogEvent e)
    {
        json.WriteStartObject();
        json.WriteString(Names.Timestamp, e.Timestamp);
        json.WriteString(Names.SeverityText, LevelNames.OpenTelemetryText(e.Level));
        json.WriteNumber(Names.SeverityNumber, LevelNames.OpenTelemetryNumber(e.Level));
        var memo = NumberMemo.ForThread();
        memo.Prepare(e);
        if (IncludeRenderedMessage) WriteRendered(json, Names.Body, e, memo);
        if (e.HasTrace)
        {
            WriteHex(json, Names.TraceId, e.TraceId);
            WriteHex(json, Names.SpanId, e.SpanId);
            json.WriteNumber(Names.TraceFlags, (int)e.TraceFlags);
        }
        json.WritePropertyName(Names.Attributes);
        json.WriteStartObject();
        if (IncludeTemplate) WriteTemplate(json, Names.MessageTemplate, e.Template);
        WriteCached(json, Names.Category, e.Category);
        if (e.EventId != 0) json.WriteNumber(Names.EventId, e.EventId);
        if (e.EventName is { } en) WriteStringSafe(json, Names.EventName, en);
        if (e.Exception is { } ex)
        {
            WriteStringSafe(json, Names.ExceptionType, ex.GetType().FullName ?? ex.GetType().Name);
            WriteStringSafe(json, Names.ExceptionMessage, JsonFormatter.SafeMessage(ex));
            WriteStringSafe(json, Names.ExceptionStacktrace, JsonFormatter.ExceptionText(ex));
        }
        WriteProperties(json, e, memo);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteProperties(Utf8JsonWriter json, in LogEvent e, NumberMemo memo)
    {
        var props = e.Properties;
        int maxChars = e.Record.MaxValueChars;
        for (int i = 0; i < props.Length; i++)
        {
            ref readonly var p = ref props[i];
            JsonFormatter.WritePropertyName(json, p.Name);
            if (memo.TryGet(i, out var number)) json.WriteRawValue(number, skipInputValidation: true);
            else if (p.Destructure && p.Value.Kind == LogValueKind.Object) WriteDestructured(json, p.Value.AsObject);
            else JsonFormatter.WriteValue(json, p.Value, p.Format, maxChars);
        }
        // Scope properties, innermost first; a name already written is not repeated.
        foreach (var p in e.ScopeProperties)
        {
            JsonFormatter.WritePropertyName(json, p.Name);
            JsonFormatter.WriteValue(json, p.Value, p.Format, maxChars);
        }
    }

    private static void WriteDestructured(Utf8JsonWriter json, object? value)
    {
        // Destructure into a scratch writer first so that a failure mid-graph cannot leave the event's JSON broken.
        var scratch = new ArrayBufferWriter<byte>();
        try
        {
            using (var inner = new Utf8JsonWriter(scratch, new JsonWriterOptions { Encoder = Encoder }))
            {
                Destructurer.WriteJson(inner, value);
            }
            json.WriteRawValue(scratch.WrittenSpan, skipInputValidation: true);
        }
        catch (Exception ex)
        {
            json.WriteStringValue("<destructuring failed: " + ex.GetType().Name + ">");
        }
    }

    private static void WriteRendered(Utf8JsonWriter json, JsonEncodedText name, in LogEvent e, NumberMemo memo)
    {
        var scratch = t_message ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch, memo);
        json.WriteString(name, scratch.WrittenSpan);
        if (scratch.Capacity > 1 << 20) t_message = null; // don't pin a huge buffer forever
    }

    // The oracle may allocate: the ids' own lowercase hex text.
    private static void WriteHex(Utf8JsonWriter json, JsonEncodedText name, ActivityTraceId id) => json.WriteString(name, id.ToHexString());

    private static void WriteHex(Utf8JsonWriter json, JsonEncodedText name, ActivitySpanId id) => json.WriteString(name, id.ToHexString());

    private static void WriteStringSafe(Utf8JsonWriter json, JsonEncodedText name, string s)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        LogValue.WriteString(scratch, s);
        json.WriteString(name, scratch.WrittenSpan);
    }

    private static void WriteTemplate(Utf8JsonWriter json, JsonEncodedText name, MessageTemplate template)
    {
        if (JsonTextCache.TryGet(template.Text, Encoder, out var encoded)) json.WriteString(name, encoded);
        else json.WriteString(name, template.TextUtf8.Span);
    }

    private static void WriteCached(Utf8JsonWriter json, JsonEncodedText name, string value)
    {
        if (JsonTextCache.TryGet(value, Encoder, out var encoded)) json.WriteString(name, encoded);
        else WriteStringSafe(json, name, value);
    }

    private static class Names
    {
        public static readonly JsonEncodedText T = JsonEncodedText.Encode("@t");
        public static readonly JsonEncodedText L = JsonEncodedText.Encode("@l");
        public static readonly JsonEncodedText M = JsonEncodedText.Encode("@m");
        public static readonly JsonEncodedText Mt = JsonEncodedText.Encode("@mt");
        public static readonly JsonEncodedText X = JsonEncodedText.Encode("@x");
        public static readonly JsonEncodedText Tr = JsonEncodedText.Encode("@tr");
        public static readonly JsonEncodedText Sp = JsonEncodedText.Encode("@sp");
        public static readonly JsonEncodedText C = JsonEncodedText.Encode("@c");
        public static readonly JsonEncodedText I = JsonEncodedText.Encode("@i");
        public static readonly JsonEncodedText En = JsonEncodedText.Encode("@en");
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("timestamp");
        public static readonly JsonEncodedText SeverityText = JsonEncodedText.Encode("severityText");
        public static readonly JsonEncodedText SeverityNumber = JsonEncodedText.Encode("severityNumber");
        public static readonly JsonEncodedText Body = JsonEncodedText.Encode("body");
        public static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("traceId");
        public static readonly JsonEncodedText SpanId = JsonEncodedText.Encode("spanId");
        public static readonly JsonEncodedText TraceFlags = JsonEncodedText.Encode("traceFlags");
        public static readonly JsonEncodedText Attributes = JsonEncodedText.Encode("attributes");
        public static readonly JsonEncodedText MessageTemplate = JsonEncodedText.Encode("message.template");
        public static readonly JsonEncodedText Category = JsonEncodedText.Encode("log.category");
        public static readonly JsonEncodedText EventId = JsonEncodedText.Encode("event.id");
        public static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event.name");
        public static readonly JsonEncodedText ExceptionType = JsonEncodedText.Encode("exception.type");
        public static readonly JsonEncodedText ExceptionMessage = JsonEncodedText.Encode("exception.message");
        public static readonly JsonEncodedText ExceptionStacktrace = JsonEncodedText.Encode("exception.stacktrace");
    }
}
