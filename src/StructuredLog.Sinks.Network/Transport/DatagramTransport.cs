using System.Net.Sockets;
using StructuredLog.Diagnostics;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>
/// UDP: one message per datagram (RFC 5426 §3.1: never split). A message longer than the limit is cut on a
/// UTF-8 character boundary and ends with <c>...[truncated]</c>, counted in <see cref="Truncated"/>.
/// UDP has no delivery feedback; a send error (e.g. ICMP port unreachable reported on the next send) is
/// counted in <see cref="SendErrors"/> and the datagram is not resent.
/// </summary>
internal sealed class DatagramTransport : NetworkTransport
{
    private static ReadOnlySpan<byte> Marker => "...[truncated]"u8;

    private readonly string _host;
    private readonly int _port;
    private readonly int _maxBytes;
    private readonly bool _trimNewline;
    private readonly byte[] _buffer;
    private Socket? _socket;
    private long _truncated, _errors;

    public DatagramTransport(string host, int port, int maxBytes, bool trimNewline)
    {
        _host = host;
        _port = port;
        _maxBytes = maxBytes;
        _trimNewline = trimNewline;
        _buffer = new byte[maxBytes];
    }

    public long Truncated => Interlocked.Read(ref _truncated);

    public long SendErrors => Interlocked.Read(ref _errors);

    public override async ValueTask SendAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
            try
            {
                await socket.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            _socket = socket;
        }
        for (int i = 0; i < batch.Count; i++)
        {
            int length = Prepare(batch[i].Payload.Span);
            try
            {
                await _socket.SendAsync(_buffer.AsMemory(0, length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                Interlocked.Increment(ref _errors);
                SelfLog.Write("network", $"UDP send to {_host}:{_port} failed: {ex.SocketErrorCode}");
            }
        }
    }

    private int Prepare(ReadOnlySpan<byte> payload)
    {
        if (_trimNewline) payload = Framing.TrimNewline(payload);
        if (payload.Length <= _maxBytes)
        {
            payload.CopyTo(_buffer);
            return payload.Length;
        }
        Interlocked.Increment(ref _truncated);
        int keep = Syslog.SyslogText.Utf8Boundary(payload, Math.Max(0, _maxBytes - Marker.Length));
        payload[..keep].CopyTo(_buffer);
        Marker.CopyTo(_buffer.AsSpan(keep));
        return keep + Marker.Length;
    }

    public override ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return ValueTask.CompletedTask;
    }
}
