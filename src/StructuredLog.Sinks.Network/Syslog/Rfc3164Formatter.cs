using System.Buffers;
using System.Globalization;
using StructuredLog.Events;
using StructuredLog.Formatting;

namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>
/// Formats events as legacy BSD syslog (RFC 3164, https://www.rfc-editor.org/rfc/rfc3164):
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG</c>, the day padded with a space. There is no
/// structured data, so the properties follow the message as <c>name="value"</c> pairs. Line breaks and
/// control characters are neutralised; messages longer than <see cref="SyslogFormatterOptions.Rfc3164MaxBytes"/>
/// are cut on a character boundary and end with a visible marker. No framing is written.
/// </summary>
public sealed class Rfc3164Formatter : ILogFormatter
{
    private static ReadOnlySpan<byte> TruncatedMarker => "...[truncated]"u8;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch, t_message;

    private readonly SyslogFormatterOptions _options;
    private readonly string _hostname, _tag, _procId;

    /// <summary>Creates the formatter; the options are read once.</summary>
    public Rfc3164Formatter(SyslogFormatterOptions? options = null)
    {
        _options = options ?? new SyslogFormatterOptions();
        _options.Validate();
        _hostname = SyslogText.HeaderField(_options.Hostname ?? Environment.MachineName, 255);
        // TAG: alphanumeric, at most 32 characters (RFC 3164 §4.1.3).
        var tag = new System.Text.StringBuilder();
        foreach (char c in _options.AppName ?? Rfc5424Formatter.DefaultAppName())
        {
            if (tag.Length == 32) break;
            tag.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' ? c : '_');
        }
        _tag = tag.Length == 0 ? "dotnet" : tag.ToString();
        _procId = SyslogText.HeaderField(_options.ProcessId ?? Environment.ProcessId.ToString(CultureInfo.InvariantCulture), 128);
        _headerTail = System.Text.Encoding.ASCII.GetBytes($"{_hostname} {_tag}[{_procId}]: ");
    }

    private readonly byte[] _headerTail;

    /// <inheritdoc />
    public void Format(in LogEvent e, IBufferWriter<byte> output)
    {
        var message = t_message ??= new ArrayBufferWriter<byte>(1024);
        message.ResetWrittenCount();
        int pri = (int)_options.Facility * 8 + ((int)_options.SeverityMapping(e.Level) & 7);
        // "<PRI>Mmm dd hh:mm:ss " — the day padded with a space (RFC 3164 §4.1.2), the time cached per second.
        var head = message.GetSpan(40);
        head[0] = (byte)'<';
        pri.TryFormat(head[1..], out int n, default, CultureInfo.InvariantCulture);
        n++;
        head[n++] = (byte)'>';
        SyslogText.Rfc3164Time(head[n..], e.Timestamp.Ticks, _options.Rfc3164LocalTime);
        n += SyslogText.Rfc3164TimeLength;
        head[n++] = (byte)' ';
        message.Advance(n);
        SyslogText.Copy(message, _headerTail);

        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        e.RenderMessage(scratch);
        SyslogText.WriteEscaped(message, scratch.WrittenSpan, paramValue: false);
        if (_options.IncludeCategory) Pair(message, scratch, "category", e.Category);
        if (_options.IncludeTrace && e.HasTrace)
        {
            Pair(message, scratch, "trace_id", e.TraceId.ToHexString());
            Pair(message, scratch, "span_id", e.SpanId.ToHexString());
        }
        foreach (ref readonly var p in e.Properties) Pair(message, scratch, p);
        if (_options.IncludeScopes)
        {
            for (var s = e.Scope; s is not null; s = s.Parent)
                foreach (var p in s.Properties) Pair(message, scratch, p);
        }
        if (_options.IncludeException && e.Exception is { } ex)
        {
            scratch.ResetWrittenCount();
            SyslogText.Utf8(scratch, Rfc5424Formatter.SafeToString(ex));
            SyslogText.Byte(message, (byte)' ');
            SyslogText.WriteEscaped(message, scratch.WrittenSpan, paramValue: false);
        }

        var bytes = message.WrittenSpan;
        int max = _options.Rfc3164MaxBytes;
        if (max > 0 && bytes.Length > max)
        {
            int keep = SyslogText.Utf8Boundary(bytes, Math.Max(0, max - TruncatedMarker.Length));
            SyslogText.Copy(output, bytes[..keep]);
            SyslogText.Copy(output, TruncatedMarker);
        }
        else
        {
            SyslogText.Copy(output, bytes);
        }
    }

    private static void Pair(ArrayBufferWriter<byte> message, ArrayBufferWriter<byte> scratch, string name, string value)
    {
        SyslogText.Byte(message, (byte)' ');
        SyslogText.WriteParamName(message, name);
        SyslogText.Copy(message, "=\""u8);
        scratch.ResetWrittenCount();
        SyslogText.Utf8(scratch, value);
        SyslogText.WriteEscaped(message, scratch.WrittenSpan, paramValue: true);
        SyslogText.Byte(message, (byte)'"');
    }

    private static void Pair(ArrayBufferWriter<byte> message, ArrayBufferWriter<byte> scratch, in LogProperty p)
    {
        SyslogText.Byte(message, (byte)' ');
        SyslogText.WriteParamName(message, p.Name ?? "");
        SyslogText.Copy(message, "=\""u8);
        scratch.ResetWrittenCount();
        p.Value.WriteUtf8(scratch, p.Format);
        SyslogText.WriteEscaped(message, scratch.WrittenSpan, paramValue: true);
        SyslogText.Byte(message, (byte)'"');
    }
}
