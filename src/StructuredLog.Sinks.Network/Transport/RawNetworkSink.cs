using StructuredLog.Sinks.Network.Spill;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>
/// Sends any formatter's bytes over TCP, TLS or UDP with a chosen framing (newline, octet counting,
/// 4-byte length prefix). UDP sends one event per datagram. Same reconnect, backoff and spill
/// behaviour as <see cref="Syslog.SyslogSink"/>.
/// </summary>
public sealed class RawNetworkSink : BatchingSink
{
    private readonly NetworkTransport _transport;
    private readonly NetworkDelivery _delivery;

    /// <summary>Creates the sink (nothing is connected until the first batch).</summary>
    public RawNetworkSink(RawNetworkSinkOptions options)
        : base("raw-" + Validated(options).Protocol.ToString().ToLowerInvariant(), options.Formatter, options.Batching)
    {
        bool trim = options.Protocol == NetworkProtocol.Udp || options.Framing is MessageFraming.OctetCounting or MessageFraming.LengthPrefix;
        _transport = NetworkTransport.Create(options.Protocol, options.Host, options.Port, options.Framing, options.Tls, options.ConnectTimeout, options.MaxDatagramBytes, trim);
        _delivery = new NetworkDelivery(Name, _transport.SendAsync, options.Spill, options.Batching.WriteTimeout);
    }

    /// <summary>TCP/TLS connections opened (1 + reconnects).</summary>
    public long Connects => (_transport as StreamTransport)?.Connects ?? 0;

    /// <summary>UDP datagrams cut to the size limit.</summary>
    public long DatagramsTruncated => (_transport as DatagramTransport)?.Truncated ?? 0;

    /// <summary>Counters of the durable spill (all zero when it is off).</summary>
    public SpillCounters Spill => SpillCounters.From(_delivery.Spill);

    private static RawNetworkSinkOptions Validated(RawNetworkSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <inheritdoc />
    protected override Task WriteBatchAsync(LogBatch batch, CancellationToken cancellationToken) => _delivery.WriteAsync(batch, cancellationToken);

    /// <inheritdoc />
    protected override async ValueTask OnDisposeAsync()
    {
        await _delivery.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}
