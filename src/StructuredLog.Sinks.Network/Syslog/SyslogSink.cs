using StructuredLog.Formatting;
using StructuredLog.Sinks.Network.Spill;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Syslog;

/// <summary>
/// Sends events to a syslog receiver: RFC 5424 (default) or RFC 3164 messages over UDP (RFC 5426),
/// TCP (RFC 6587, octet counting or LF framing) or TLS (RFC 5425). Formatting happens once on the
/// writer thread; the I/O runs on the batching base's task, so a receiver that is down never blocks
/// logging: events queue (bounded, drops counted), TCP/TLS reconnect with exponential backoff, and with
/// <see cref="SyslogSinkOptions.Spill"/> batches wait on disk until the receiver returns.
/// </summary>
public sealed class SyslogSink : BatchingSink
{
    private readonly NetworkTransport _transport;
    private readonly NetworkDelivery _delivery;

    /// <summary>Creates the sink (nothing is connected until the first batch).</summary>
    public SyslogSink(SyslogSinkOptions options)
        : base("syslog", CreateFormatter(options), options.Batching)
    {
        SyslogOptions = options;
        int port = options.Port != 0 ? options.Port : options.Protocol == NetworkProtocol.Tls ? 6514 : 514;
        var framing = options.Protocol == NetworkProtocol.Tls ? MessageFraming.OctetCounting : options.Framing;
        _transport = NetworkTransport.Create(options.Protocol, options.Host, port, framing, options.Tls, options.ConnectTimeout, options.MaxDatagramBytes, trimNewline: false);
        _delivery = new NetworkDelivery(Name, _transport.SendAsync, options.Spill, options.Batching.WriteTimeout);
    }

    /// <summary>The options in use.</summary>
    public SyslogSinkOptions SyslogOptions { get; }

    /// <summary>Messages cut to fit <see cref="SyslogSinkOptions.MaxDatagramBytes"/> (UDP) or the RFC 3164 size limit.</summary>
    public long MessagesTruncated => ((_transport as DatagramTransport)?.Truncated ?? 0) + ((Formatter as Rfc5424Formatter)?.MessagesTruncated ?? 0);

    /// <summary>UDP sends that failed (not retried).</summary>
    public long DatagramSendErrors => (_transport as DatagramTransport)?.SendErrors ?? 0;

    /// <summary>TCP/TLS connections opened (1 + reconnects).</summary>
    public long Connects => (_transport as StreamTransport)?.Connects ?? 0;

    /// <summary>Counters of the durable spill (all zero when it is off).</summary>
    public SpillCounters Spill => SpillCounters.From(_delivery.Spill);

    private static ILogFormatter CreateFormatter(SyslogSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Format == SyslogFormat.Rfc3164) return new Rfc3164Formatter(options.Message);
        // Over UDP the formatter keeps each message within one datagram and well-formed (RFC 5426: never split).
        return new Rfc5424Formatter(options.Message) { MaxMessageBytes = options.Protocol == NetworkProtocol.Udp ? options.MaxDatagramBytes : 0 };
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
