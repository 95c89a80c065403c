namespace StructuredLog.Sinks.Network.Transport;

/// <summary>Sends batches of formatted events to one peer. Used from one task at a time.</summary>
internal abstract class NetworkTransport : IAsyncDisposable
{
    /// <summary>Sends every event of <paramref name="batch"/> in order; throws when the peer cannot be reached (the batch may then be retried).</summary>
    public abstract ValueTask SendAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    public static NetworkTransport Create(NetworkProtocol protocol, string host, int port, MessageFraming framing, TlsOptions? tls,
        TimeSpan connectTimeout, int maxDatagramBytes, bool trimNewline) => protocol switch
    {
        NetworkProtocol.Udp => new DatagramTransport(host, port, maxDatagramBytes, trimNewline),
        NetworkProtocol.Tcp => new StreamTransport(host, port, framing, null, connectTimeout, trimNewline),
        NetworkProtocol.Tls => new StreamTransport(host, port, framing, tls ?? new TlsOptions(), connectTimeout, trimNewline),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "unknown protocol"),
    };
}
