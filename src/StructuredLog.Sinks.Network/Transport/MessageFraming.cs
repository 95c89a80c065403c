namespace StructuredLog.Sinks.Network.Transport;

/// <summary>How messages are delimited on a stream transport (TCP/TLS). Datagram transports send one message per datagram and ignore it.</summary>
public enum MessageFraming
{
    /// <summary>RFC 6587 §3.4.1 octet counting: <c>MSG-LEN SP MSG</c>, MSG-LEN the message's byte count in decimal. Required by RFC 5425 (syslog over TLS).</summary>
    OctetCounting,
    /// <summary>RFC 6587 §3.4.2 non-transparent framing: each message ends with LF (added unless the message already ends with one). The formatters neutralise LF inside messages.</summary>
    LineFeed,
    /// <summary>A 4-byte big-endian length, then the message bytes.</summary>
    LengthPrefix,
    /// <summary>The formatter's bytes as they are, back to back.</summary>
    None,
}
