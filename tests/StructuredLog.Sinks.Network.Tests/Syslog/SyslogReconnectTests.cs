using StructuredLog.Sinks.Network.Spill;
using StructuredLog.Sinks.Network.Syslog;
using StructuredLog.Sinks.Network.Transport;
using StructuredLog.TestSupport.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

/// <summary>TCP syslog through a real rsyslogd that is killed and started again on the same port.</summary>
public sealed class SyslogReconnectTests
{
    [Theory]
    [InlineData(NetworkProtocol.Tcp)]
    [InlineData(NetworkProtocol.Tls)]
    public async Task Sink_with_spill_reconnects_after_rsyslog_restarts_and_delivers_everything_once_in_order(NetworkProtocol protocol)
    {
        await using var rsyslog = await RsyslogServer.StartAsync(tls: protocol == NetworkProtocol.Tls);
        var tls = new TlsOptions { TargetHost = "localhost" };
        if (rsyslog.Authority is { } ca) tls.TrustedAuthorities.Add(ca.PublicCertificate);
        string dir = Path.Combine(Path.GetTempPath(), "sl-syslog-spill-" + Guid.NewGuid().ToString("N")[..12]);
        string app = "r" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            await using var sink = new SyslogSink(new SyslogSinkOptions
            {
                Protocol = protocol,
                Port = protocol == NetworkProtocol.Tls ? rsyslog.TlsPort!.Value : rsyslog.TcpPort,
                Tls = tls,
                Message = new SyslogFormatterOptions { AppName = app },
                Batching = new BatchingOptions { Period = TimeSpan.FromMilliseconds(20), MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200), WriteTimeout = TimeSpan.FromSeconds(5) },
                Spill = new DurableSpillOptions(dir) { MinReplayDelay = TimeSpan.FromMilliseconds(50), MaxReplayDelay = TimeSpan.FromMilliseconds(300) },
            });
            await using var pipeline = new LogPipelineBuilder().WriteTo(sink).Build();
            var log = pipeline.GetLogger("Reconnect");
            for (int i = 0; i < 100; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            await rsyslog.WaitForAsync(r => r.AppName == app, 100, TimeSpan.FromSeconds(15));

            await rsyslog.StopAsync();
            for (int i = 100; i < 5_000; i++) log.Info("event {Seq}", i);
            await pipeline.FlushAsync();
            Assert.True(sink.Spill.Pending > 0, "nothing was spilled while rsyslog was down");

            await rsyslog.StartAgainAsync();
            var records = await rsyslog.WaitForAsync(r => r.AppName == app, 5_000, TimeSpan.FromSeconds(30));
            var seqs = records.Select(r => int.Parse(r.Param("structuredlog@32473", "Seq")!)).ToList();
            Assert.Equal(Enumerable.Range(0, 5_000), seqs);
            Assert.True(sink.Connects >= 2);
            Assert.Equal(0, sink.EventsFailed);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
