namespace StructuredLog.Sinks.Network.Transport;

/// <summary>The transport of a network sink.</summary>
public enum NetworkProtocol
{
    /// <summary>UDP: one message per datagram (RFC 5426 for syslog), oversized messages cut with a visible marker. Fire and forget.</summary>
    Udp,
    /// <summary>TCP with framing (RFC 6587 for syslog), reconnecting with backoff.</summary>
    Tcp,
    /// <summary>TLS over TCP (RFC 5425 for syslog): server certificate validated by default, optional client certificate.</summary>
    Tls,
}
