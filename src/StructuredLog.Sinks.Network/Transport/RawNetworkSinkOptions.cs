using StructuredLog.Formatting;
using StructuredLog.Sinks.Network.Spill;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>Options of <see cref="RawNetworkSink"/>.</summary>
public sealed class RawNetworkSinkOptions
{
    /// <summary>The peer's host name or address. Default <c>127.0.0.1</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The peer's port (required).</summary>
    public int Port { get; set; }

    /// <summary>UDP, TCP or TLS. Default TCP.</summary>
    public NetworkProtocol Protocol { get; set; } = NetworkProtocol.Tcp;

    /// <summary>The formatter whose bytes are sent. Default <see cref="JsonFormatter.Default"/> (JSON lines).</summary>
    public ILogFormatter Formatter { get; set; } = JsonFormatter.Default;

    /// <summary>Stream framing. Default <see cref="MessageFraming.LineFeed"/> (one event per line).</summary>
    public MessageFraming Framing { get; set; } = MessageFraming.LineFeed;

    /// <summary>TLS settings (used when <see cref="Protocol"/> is TLS).</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Largest UDP datagram; longer events are cut with a visible marker. Default 65,507 (the IPv4 maximum).</summary>
    public int MaxDatagramBytes { get; set; } = 65507;

    /// <summary>Connect (and TLS handshake) timeout. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Batching, queue bound, retries and backoff.</summary>
    public BatchingOptions Batching { get; set; } = new() { Period = TimeSpan.FromMilliseconds(200), BatchSizeLimit = 1000 };

    /// <summary>Opt-in durable spill to disk while the peer is down (TCP/TLS only).</summary>
    public DurableSpillOptions? Spill { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
        if (Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "must be 1..65535");
        if (MaxDatagramBytes is < 64 or > 65507) throw new ArgumentOutOfRangeException(nameof(MaxDatagramBytes), MaxDatagramBytes, "must be 64..65507");
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "must be positive");
        ArgumentNullException.ThrowIfNull(Formatter, nameof(Formatter));
        ArgumentNullException.ThrowIfNull(Batching, nameof(Batching));
        Batching.Validate();
        Spill?.Validate();
        if (Spill is not null && Protocol == NetworkProtocol.Udp) throw new ArgumentException("durable spill needs TCP or TLS", nameof(Spill));
    }
}
