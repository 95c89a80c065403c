using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>
/// Formats events as RFC 5424 syslog messages (https://www.rfc-editor.org/rfc/rfc5424):
/// <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" ...] BOM MSG</c>.
/// The timestamp is UTC with microseconds; the event's properties (and scopes, category, trace) are
/// structured-data parameters whose names are made valid and whose values escape <c>"</c>, <c>\</c>
/// and <c>]</c>; every line break or control character in values and in MSG is neutralised, so one event
/// is always exactly one message. No framing is written: the transport adds it.
/// </summary>
public sealed class Rfc5424Formatter : ILogFormatter
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;

    private readonly SyslogFormatterOptions _options;
    private readonly byte[] _hostname, _appName, _procId, _defaultMsgId, _sdId;
    private readonly byte[] _priPrefix = new byte[8 * 8]; // cached "<PRI>1 " per severity
    private readonly int[] _priLength = new int[8];

    /// <summary>Creates the formatter; the options are read once.</summary>
    public Rfc5424Formatter(SyslogFormatterOptions? options = null)
    {
        _options = options ?? new SyslogFormatterOptions();
        _options.Validate();
        _hostname = Ascii(SyslogText.HeaderField(_options.Hostname ?? Environment.MachineName, 255));
        _appName = Ascii(SyslogText.HeaderField(_options.AppName ?? DefaultAppName(), 48));
        _procId = Ascii(SyslogText.HeaderField(_options.ProcessId ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture), 128));
        _defaultMsgId = Ascii(SyslogText.HeaderField(_options.MessageId, 32));
        _sdId = Ascii(_options.StructuredDataId);
        for (int s = 0; s < 8; s++)
        {
            string prefix = $"<{(int)_options.Facility * 8 + s}>1 ";
            for (int i = 0; i < prefix.Length; i++) _priPrefix[s * 8 + i] = (byte)prefix[i];
            _priLength[s] = prefix.Length;
        }
    }

    /// <summary>The options in use.</summary>
    public SyslogFormatterOptions Options => _options;

    internal static string DefaultAppName()
    {
        try { return Process.GetCurrentProcess().ProcessName; }
        catch (Exception) { return "dotnet"; }
    }

    private static byte[] Ascii(string s)
    {
        var b = new byte[s.Length];
        for (int i = 0; i < s.Length; i++) b[i] = (byte)s[i];
        return b;
    }

    /// <summary>
    /// The longest message in bytes, or 0 for no limit (default). A longer event is cut so that it stays a
    /// well-formed message: parameters that do not fit are cut or left out (a <c>truncated="true"</c>
    /// parameter says so) and MSG ends with <c>...[truncated]</c>. The UDP syslog sink sets this to its datagram limit.
    /// </summary>
    public int MaxMessageBytes { get; init; }

    /// <summary>Messages cut to <see cref="MaxMessageBytes"/> so far.</summary>
    public long MessagesTruncated => Interlocked.Read(ref _truncated);

    private long _truncated;
    private static ReadOnlySpan<byte> Marker => "...[truncated]"u8;

    // Inside a PARAM-VALUE the marker's "]" must be escaped (RFC 5424 §6.3.3).
    private static ReadOnlySpan<byte> ParamMarker => "...[truncated\\]"u8;

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        if (MaxMessageBytes <= 0)
        {
            Write(e, output, int.MaxValue);
            return;
        }
        var full = t_full ??= new ArrayBufferWriter<byte>(2048);
        full.ResetWrittenCount();
        Write(e, full, int.MaxValue);
        if (full.WrittenCount <= MaxMessageBytes)
        {
            SyslogText.Copy(output, full.WrittenSpan);
            return;
        }
        Interlocked.Increment(ref _truncated);
        full.ResetWrittenCount();
        Write(e, full, MaxMessageBytes);
        SyslogText.Copy(output, full.WrittenSpan);
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_full, t_value;

    private void Write(in LogEvent e, IBufferWriter<byte> output, int limit) => WriteTo(e, output, limit);

    // With a limit, output is always t_full (an ArrayBufferWriter) so that the written size can be measured;
    // without one, it is the caller's writer and nothing is measured.
    private void WriteTo(in LogEvent e, IBufferWriter<byte> output, int limit)
    {
        var measured = limit == int.MaxValue ? null : (ArrayBufferWriter<byte>)output;
        int start = measured?.WrittenCount ?? 0;
        int severity = (int)_options.SeverityMapping(e.Level) & 7;
        SyslogText.Copy(output, _priPrefix.AsSpan(severity * 8, _priLength[severity]));

        // TIMESTAMP: RFC 3339, UTC, 6 fractional digits (RFC 5424 §6.2.3 allows at most 6).
        output.Advance(SyslogText.Rfc3339Microseconds(output.GetSpan(32), e.Timestamp.Ticks));
        SyslogText.Byte(output, (byte)' ');
        SyslogText.Copy(output, _hostname);
        SyslogText.Byte(output, (byte)' ');
        SyslogText.Copy(output, _appName);
        SyslogText.Byte(output, (byte)' ');
        SyslogText.Copy(output, _procId);
        SyslogText.Byte(output, (byte)' ');
        WriteMsgId(e, output);
        SyslogText.Byte(output, (byte)' ');

        // Room kept for the SD closing bracket, the truncated flag, the BOM and the MSG marker.
        const int reserve = 64;
        var sd = new SdWriter(output, measured, start, limit == int.MaxValue ? int.MaxValue : limit - reserve);
        WriteStructuredData(e, ref sd);

        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        if (_options.IncludeException && e.Exception is { } ex)
        {
            SyslogText.Byte(scratch, (byte)' ');
            SyslogText.Utf8(scratch, SafeToString(ex));
        }
        if (scratch.WrittenCount > 0 || _options.WriteByteOrderMark)
        {
            SyslogText.Byte(output, (byte)' ');
            if (_options.WriteByteOrderMark) SyslogText.Copy(output, [0xEF, 0xBB, 0xBF]);
            if (measured is null)
            {
                SyslogText.WriteEscaped(output, scratch.WrittenSpan, paramValue: false);
                return;
            }
            var escaped = t_value ??= new ArrayBufferWriter<byte>(1024);
            escaped.ResetWrittenCount();
            SyslogText.WriteEscaped(escaped, scratch.WrittenSpan, paramValue: false);
            int room = limit - (measured.WrittenCount - start);
            if (escaped.WrittenCount <= room)
            {
                SyslogText.Copy(output, escaped.WrittenSpan);
            }
            else
            {
                int keep = SyslogText.EscapedBoundary(escaped.WrittenSpan, Math.Max(0, room - Marker.Length));
                SyslogText.Copy(output, escaped.WrittenSpan[..keep]);
                SyslogText.Copy(output, Marker);
            }
        }
    }

    /// <summary>Writes SD parameters while they fit in the budget; the first one that does not is cut and the rest left out.</summary>
    private ref struct SdWriter(IBufferWriter<byte> output, ArrayBufferWriter<byte>? measured, int start, int limit)
    {
        public readonly IBufferWriter<byte> Output = output;
        public bool Full;
        public bool Truncated;

        public readonly int Room => measured is null ? int.MaxValue : limit - (measured.WrittenCount - start);

        public void Param(ReadOnlySpan<char> name, ReadOnlySpan<byte> escapedValue)
        {
            if (Full) return;
            int nameLen = Math.Max(1, Math.Min(name.Length, 32));
            int need = 1 + nameLen + 2 + escapedValue.Length + 1;
            if (need <= Room)
            {
                Write(name, escapedValue, cut: false);
                return;
            }
            Full = true;
            Truncated = true;
            int valueRoom = Room - (1 + nameLen + 3) - ParamMarker.Length;
            if (valueRoom < 8) return;
            Write(name, escapedValue[..SyslogText.EscapedBoundary(escapedValue, valueRoom)], cut: true);
        }

        private readonly void Write(ReadOnlySpan<char> name, ReadOnlySpan<byte> value, bool cut)
        {
            SyslogText.Byte(Output, (byte)' ');
            SyslogText.WriteParamName(Output, name);
            SyslogText.Copy(Output, "=\""u8);
            SyslogText.Copy(Output, value);
            if (cut) SyslogText.Copy(Output, ParamMarker);
            SyslogText.Byte(Output, (byte)'"');
        }
    }

    internal static string SafeToString(Exception ex)
    {
        try { return ex.ToString(); }
        catch (Exception inner) { return $"{ex.GetType().FullName} <ToString threw {inner.GetType().Name}>"; }
    }

    private void WriteMsgId(in LogEvent e, IBufferWriter<byte> output)
    {
        if (!string.IsNullOrEmpty(e.EventName))
        {
            SyslogText.Ascii(output, SyslogText.HeaderField(e.EventName, 32));
        }
        else if (e.EventId != 0)
        {
            SyslogText.Number(output, e.EventId);
        }
        else
        {
            SyslogText.Copy(output, _defaultMsgId);
        }
    }

    private void WriteStructuredData(in LogEvent e, ref SdWriter sd)
    {
        var output = sd.Output;
        var props = e.Properties;
        bool scopes = _options.IncludeScopes && e.Scope is not null;
        bool trace = _options.IncludeTrace && e.HasTrace;
        if (props.IsEmpty && !scopes && !trace && !_options.IncludeCategory)
        {
            SyslogText.Byte(output, (byte)'-');
            return;
        }
        SyslogText.Byte(output, (byte)'[');
        SyslogText.Copy(output, _sdId);
        var value = t_value ??= new ArrayBufferWriter<byte>(1024);
        var raw = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        void Text(ref SdWriter w, string name, string text)
        {
            raw.ResetWrittenCount();
            value.ResetWrittenCount();
            SyslogText.Utf8(raw, text);
            SyslogText.WriteEscaped(value, raw.WrittenSpan, paramValue: true);
            w.Param(name, value.WrittenSpan);
        }
        void Prop(ref SdWriter w, in LogProperty p)
        {
            raw.ResetWrittenCount();
            value.ResetWrittenCount();
            p.Value.WriteUtf8(raw, p.Format);
            SyslogText.WriteEscaped(value, raw.WrittenSpan, paramValue: true);
            w.Param(p.Name ?? "", value.WrittenSpan);
        }
        if (_options.IncludeCategory) Text(ref sd, "category", e.Category);
        if (trace)
        {
            Text(ref sd, "trace_id", e.TraceId.ToHexString());
            Text(ref sd, "span_id", e.SpanId.ToHexString());
        }
        foreach (ref readonly var p in props) Prop(ref sd, p);
        if (scopes)
        {
            for (var s = e.Scope; s is not null; s = s.Parent)
            {
                foreach (var p in s.Properties) Prop(ref sd, p);
            }
        }
        if (sd.Truncated) SyslogText.Copy(output, " truncated=\"true\""u8);
        SyslogText.Byte(output, (byte)']');
    }
}
