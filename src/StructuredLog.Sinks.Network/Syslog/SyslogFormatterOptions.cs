namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>Header fields and mappings shared by <see cref="Rfc5424Formatter"/> and <see cref="Rfc3164Formatter"/>.</summary>
public sealed class SyslogFormatterOptions
{
    /// <summary>
    /// The IANA example private enterprise number (RFC 5612), used in the default SD-ID
    /// <c>structuredlog@32473</c>. Replace it with your organisation's own number when you have one.
    /// </summary>
    public const int ExampleEnterpriseNumber = 32473;

    /// <summary>The facility of every message. Default <see cref="SyslogFacility.User"/>.</summary>
    public SyslogFacility Facility { get; set; } = SyslogFacility.User;

    /// <summary>Maps a level to a severity. Default: Trace/Debug → Debug, Info → Informational, Warn → Warning, Error → Error, Fatal → Critical.</summary>
    public Func<LogLevel, SyslogSeverity> SeverityMapping { get; set; } = DefaultSeverity;

    /// <summary>HOSTNAME; default the machine name. Cut to 255 printable US-ASCII characters (others become <c>_</c>).</summary>
    public string? Hostname { get; set; }

    /// <summary>APP-NAME (RFC 3164: the TAG); default the process name. Cut to 48 characters (32 for RFC 3164).</summary>
    public string? AppName { get; set; }

    /// <summary>PROCID; default the process id. Cut to 128 characters.</summary>
    public string? ProcessId { get; set; }

    /// <summary>
    /// MSGID used when the event has neither an event name nor an event id (else <c>-</c>). The event name wins,
    /// then the event id. Cut to 32 characters.
    /// </summary>
    public string? MessageId { get; set; }

    /// <summary>The SD-ID of the element that carries the event's properties. Must have the form <c>name@number</c>. Default <c>structuredlog@32473</c>.</summary>
    public string StructuredDataId { get; set; } = "structuredlog@" + ExampleEnterpriseNumber;

    /// <summary>Add the logger category as a <c>category</c> parameter. Default true.</summary>
    public bool IncludeCategory { get; set; } = true;

    /// <summary>Add the properties of the scopes current when the event was logged. Default true.</summary>
    public bool IncludeScopes { get; set; } = true;

    /// <summary>Add <c>trace_id</c> and <c>span_id</c> parameters when the event has a trace. Default true.</summary>
    public bool IncludeTrace { get; set; } = true;

    /// <summary>Append the exception (type, message, stack, with line breaks neutralised) to MSG. Default true.</summary>
    public bool IncludeException { get; set; } = true;

    /// <summary>Write the UTF-8 BOM before MSG (RFC 5424 §6.4 for UTF-8 messages). Default true. Ignored by RFC 3164.</summary>
    public bool WriteByteOrderMark { get; set; } = true;

    /// <summary>RFC 3164 only: the longest message in bytes (the RFC says 1024); longer ones are cut with a visible marker. 0 disables.</summary>
    public int Rfc3164MaxBytes { get; set; } = 1024;

    /// <summary>RFC 3164 only: write the timestamp in local time, as the RFC intended. Default false (UTC, which most receivers prefer).</summary>
    public bool Rfc3164LocalTime { get; set; }

    /// <summary>The default level mapping.</summary>
    public static SyslogSeverity DefaultSeverity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => SyslogSeverity.Debug,
        LogLevel.Info => SyslogSeverity.Informational,
        LogLevel.Warn => SyslogSeverity.Warning,
        LogLevel.Error => SyslogSeverity.Error,
        _ => SyslogSeverity.Critical,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Facility)) throw new ArgumentOutOfRangeException(nameof(Facility), Facility, "must be 0..23");
        ArgumentNullException.ThrowIfNull(SeverityMapping, nameof(SeverityMapping));
        if (!SyslogText.IsValidSdId(StructuredDataId))
            throw new ArgumentException($"StructuredDataId '{StructuredDataId}' must be 1-32 printable US-ASCII characters without '=', ' ', ']' or '\"', of the form name@number", nameof(StructuredDataId));
        if (Rfc3164MaxBytes < 0) throw new ArgumentOutOfRangeException(nameof(Rfc3164MaxBytes), Rfc3164MaxBytes, "must not be negative");
    }
}
