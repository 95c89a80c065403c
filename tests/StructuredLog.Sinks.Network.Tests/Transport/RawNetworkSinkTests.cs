using System.Net;
using System.Net.Sockets;
using System.Text;
using StructuredLog.Sinks.Network.Transport;

namespace StructuredLog.Sinks.Network.Tests.Transport;

public sealed class RawNetworkSinkTests
{
    private static RawNetworkSinkOptions Options(int port, MessageFraming framing = MessageFraming.LineFeed) => new()
    {
        Port = port,
        Framing = framing,
        Batching = new BatchingOptions { Period = TimeSpan.FromMilliseconds(20), MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), WriteTimeout = TimeSpan.FromSeconds(2), ShutdownTimeout = TimeSpan.FromSeconds(2) },
    };

    [Fact]
    public async Task Reconnects_after_the_peer_drops_the_connection_and_delivers_the_next_batch()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var sink = new RawNetworkSink(Options(port));
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var log = pipeline.GetLogger("Raw");

        for (int i = 0; i < 10; i++) log.Info("first {I}", i);
        using (var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            var lines = await ReadLinesAsync(client, 10);
            Assert.All(lines, l => Assert.Contains("\"@m\":\"first ", l));
        } // the peer closes its side

        for (int i = 0; i < 10; i++) log.Info("second {I}", i);
        using (var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10)))
        {
            var lines = await ReadLinesAsync(client, 10);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"second {i}"), lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("@m").GetString()));
        }
        Assert.Equal(2, sink.Connects);
    }

    [Fact]
    public async Task Octet_counting_and_length_prefix_frames_carry_exact_byte_counts()
    {
        foreach (var framing in new[] { MessageFraming.OctetCounting, MessageFraming.LengthPrefix })
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            await using var sink = new RawNetworkSink(Options(((IPEndPoint)listener.LocalEndpoint).Port, framing));
            await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
            pipeline.GetLogger("Raw").Info("ünïcode {V}", "x\ny");
            await pipeline.FlushAsync();
            using var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var stream = client.GetStream();
            int length;
            if (framing == MessageFraming.LengthPrefix)
            {
                var head = new byte[4];
                await stream.ReadExactlyAsync(head);
                length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head);
            }
            else
            {
                var digits = new StringBuilder();
                var one = new byte[1];
                while (true)
                {
                    await stream.ReadExactlyAsync(one);
                    if (one[0] == ' ') break;
                    digits.Append((char)one[0]);
                }
                length = int.Parse(digits.ToString());
            }
            var body = new byte[length];
            await stream.ReadExactlyAsync(body);
            var doc = System.Text.Json.JsonDocument.Parse(body); // exactly one JSON document, no trailing newline
            Assert.Equal("ünïcode x\ny", doc.RootElement.GetProperty("@m").GetString());
            Assert.NotEqual((byte)'\n', body[^1]);
        }
    }

    [Fact]
    public async Task Udp_sends_one_datagram_per_event_without_the_newline_and_truncates_visibly()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var options = Options(((IPEndPoint)server.Client.LocalEndPoint!).Port);
        options.Protocol = NetworkProtocol.Udp;
        options.MaxDatagramBytes = 200;
        await using var sink = new RawNetworkSink(options);
        await using (var pipeline = new LogPipelineBuilder().WriteTo(sink).Build())
        {
            var log = pipeline.GetLogger("Udp");
            log.Info("small {N}", 1);
            log.Info("large {Text}", new string('ß', 300));
            await pipeline.FlushAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = (await server.ReceiveAsync(timeout.Token)).Buffer;
        var second = (await server.ReceiveAsync(timeout.Token)).Buffer;
        Assert.Equal("small 1", System.Text.Json.JsonDocument.Parse(first).RootElement.GetProperty("@m").GetString());
        Assert.NotEqual((byte)'\n', first[^1]);
        Assert.True(second.Length <= 200);
        var text = Encoding.UTF8.GetString(second);
        Assert.EndsWith("...[truncated]", text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.Equal(1, sink.DatagramsTruncated);
    }

    [Fact]
    public async Task A_stalled_peer_never_blocks_the_writer_thread()
    {
        // A peer that accepts but never reads: once the socket buffers fill, the sink's writes block.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = Options(((IPEndPoint)listener.LocalEndpoint).Port);
        options.Batching.QueueLimit = 20_000;
        options.Batching.MaxRetries = 0;
        await using var sink = new RawNetworkSink(options);
        await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
        var accept = listener.AcceptTcpClientAsync();
        var log = pipeline.GetLogger("Stall");
        string padding = new('x', 500);
        const int total = 200_000; // ~110 MB: far more than loopback socket buffers hold
        for (int i = 0; i < total; i++) log.Info("event {I} {Pad}", i, padding);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pipeline.EventsProcessed < total && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(total, pipeline.EventsProcessed); // the writer handed every event to the sink
        Assert.True(sink.EventsDropped > 0, "the sink's bounded queue should have overflowed while the peer stalled");
        Assert.True(sink.EventsWritten < total);
        using var client = await accept;
    }

    private static async Task<List<string>> ReadLinesAsync(TcpClient client, int count)
    {
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8, leaveOpen: true);
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (lines.Count < count) lines.Add(await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException());
        return lines;
    }
}
