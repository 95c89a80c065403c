using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using StructuredLog.Diagnostics;

namespace StructuredLog.Sinks.Network.Transport;

/// <summary>
/// TCP or TLS connection that frames each message and writes through a <see cref="PipeWriter"/>.
/// Connects lazily; any failure drops the connection so that the next attempt (after the batching
/// base's backoff) reconnects. A peer that closed its side is noticed before writing, so a restarted
/// receiver does not swallow a batch into a dead socket. Delivery is at least once: a batch that fails
/// part-way is sent again in full.
/// </summary>
internal sealed class StreamTransport : NetworkTransport
{
    private const int FlushThreshold = 64 * 1024;

    private readonly string _host;
    private readonly int _port;
    private readonly MessageFraming _framing;
    private readonly TlsOptions? _tls;
    private readonly TimeSpan _connectTimeout;
    private readonly bool _trimNewline;
    private Socket? _socket;
    private Stream? _stream;
    private PipeWriter? _writer;
    private Task? _reader;
    private volatile bool _peerClosed;
    private long _connects;

    public StreamTransport(string host, int port, MessageFraming framing, TlsOptions? tls, TimeSpan connectTimeout, bool trimNewline)
    {
        _host = host;
        _port = port;
        _framing = framing;
        _tls = tls;
        _connectTimeout = connectTimeout;
        _trimNewline = trimNewline;
    }

    /// <summary>Connections opened so far (the first one included).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    public override async ValueTask SendAsync(IReadOnlyList<OutgoingEvent> batch, CancellationToken cancellationToken)
    {
        try
        {
            var writer = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < batch.Count; i++)
            {
                var payload = batch[i].Payload.Span;
                Framing.Write(writer, _trimNewline ? Framing.TrimNewline(payload) : payload, _framing);
                if (writer.UnflushedBytes >= FlushThreshold) await FlushAsync(writer, cancellationToken).ConfigureAwait(false);
            }
            await FlushAsync(writer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await DropConnectionAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask FlushAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted) throw new IOException("the connection's pipe was closed");
    }

    private async ValueTask<PipeWriter> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null && _socket is not null && !_peerClosed && !PeerClosed(_socket)) return _writer;
        if (_writer is not null) await DropConnectionAsync().ConfigureAwait(false);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_connectTimeout);
                await socket.ConnectAsync(_host, _port, timeout.Token).ConfigureAwait(false);
            }
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_connectTimeout);
                    await ssl.AuthenticateAsClientAsync(_tls.CreateClientOptions(_host), timeout.Token).ConfigureAwait(false);
                }
                catch
                {
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
                stream = ssl;
            }
            _socket = socket;
            _stream = stream;
            _peerClosed = false;
            _reader = DrainAsync(stream);
            _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
            if (Interlocked.Increment(ref _connects) > 1) SelfLog.Write("network", $"reconnected to {_host}:{_port}");
            return _writer;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads (and discards) whatever the peer sends, so that its close is noticed even over TLS, where
    /// post-handshake records (TLS 1.3 session tickets) keep the socket "readable with data" forever.
    /// </summary>
    private async Task DrainAsync(Stream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0) { }
        }
        catch (Exception)
        {
            // a reset or our own dispose: either way the connection is unusable
        }
        _peerClosed = true;
    }

    /// <summary>True when the socket reports an error.</summary>
    private static bool PeerClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectError);
        }
        catch (Exception)
        {
            return true;
        }
    }

    private async ValueTask DropConnectionAsync()
    {
        var writer = _writer;
        var stream = _stream;
        var socket = _socket;
        _writer = null;
        _stream = null;
        _socket = null;
        try { if (writer is not null) await writer.CompleteAsync().ConfigureAwait(false); } catch (Exception) { /* already broken */ }
        try { if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* already broken */ }
        socket?.Dispose();
        var reader = _reader;
        _reader = null;
        if (reader is not null)
        {
            try { await reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); } // ends once the stream is disposed
            catch (TimeoutException) { /* abandoned: it only reads a disposed stream */ }
        }
    }

    public override ValueTask DisposeAsync() => DropConnectionAsync();
}
