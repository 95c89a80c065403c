using StructuredLog.Sinks.Network.Spill;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>Options of <see cref="SyslogSink"/>.</summary>
public sealed class SyslogSinkOptions
{
    /// <summary>The receiver's host name or address. Default <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The receiver's port; 0 means the standard one: 514 for UDP and TCP, 6514 for TLS (RFC 5425).</summary>
    public int Port { get; set; }

    /// <summary>UDP, TCP or TLS. Default UDP.</summary>
    public NetworkProtocol Protocol { get; set; } = NetworkProtocol.Udp;

    /// <summary>RFC 5424 (default) or RFC 3164.</summary>
    public SyslogFormat Format { get; set; } = SyslogFormat.Rfc5424;

    /// <summary>Stream framing for TCP (TLS always uses octet counting, RFC 5425 §4.3). Default octet counting.</summary>
    public MessageFraming Framing { get; set; } = MessageFraming.OctetCounting;

    /// <summary>Header fields, facility, level mapping and structured-data settings.</summary>
    public SyslogFormatterOptions Message { get; set; } = new();

    /// <summary>TLS settings (used when <see cref="Protocol"/> is TLS).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Largest UDP datagram (message bytes). RFC 5426 §3.2: every receiver takes 480 bytes, should take 2048,
    /// and the IPv4 maximum is 65,507. Longer messages are cut with a visible marker. Default 2048.
    /// </summary>
    public int MaxDatagramBytes { get; set; } = 2048;

    /// <summary>Connect (and TLS handshake) timeout. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Batching, queue bound, retries and backoff (reconnects happen on retry).</summary>
    public BatchingOptions Batching { get; set; } = new() { Period = TimeSpan.FromMilliseconds(200), BatchSizeLimit = 1000 };

    /// <summary>Opt-in durable spill to disk while the receiver is down (TCP/TLS only; UDP cannot tell).</summary>
    public DurableSpillOptions? Spill { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "must be 0..65535");
        if (MaxDatagramBytes is < 480 or > 65507) throw new ArgumentOutOfRangeException(nameof(MaxDatagramBytes), MaxDatagramBytes, "must be 480..65507 (RFC 5426)");
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "must be positive");
        ArgumentNullException.ThrowIfNull(Message, nameof(Message));
        ArgumentNullException.ThrowIfNull(Batching, nameof(Batching));
        Message.Validate();
        Batching.Validate();
        Spill?.Validate();
        if (Spill is not null && Protocol == NetworkProtocol.Udp) throw new ArgumentException("durable spill needs TCP or TLS: UDP cannot tell that the receiver is down", nameof(Spill));
    }
}
