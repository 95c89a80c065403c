namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>The syslog message format.</summary>
public enum SyslogFormat
{
    /// <summary>RFC 5424 with structured data (the default).</summary>
    Rfc5424,
    /// <summary>Legacy BSD syslog, RFC 3164, for old receivers.</summary>
    Rfc3164,
}
