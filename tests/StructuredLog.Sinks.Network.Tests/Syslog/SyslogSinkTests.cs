using StructuredLog.Events;
using StructuredLog.Sinks.Network.Syslog;
using StructuredLog.Sinks.Network.Transport;
using StructuredLog.TestSupport.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

/// <summary>End-to-end against a real rsyslogd: what rsyslog parsed is what we meant to send.</summary>
public sealed class SyslogSinkTests(RsyslogFixture fixture) : IClassFixture<RsyslogFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private const string SdId = "structuredlog@32473";
    private RsyslogServer Server => fixture.Server;

    private SyslogSinkOptions Options(NetworkProtocol protocol, string app, MessageFraming framing = MessageFraming.OctetCounting) => new()
    {
        Host = "127.0.0.1",
        Port = protocol switch { NetworkProtocol.Udp => Server.UdpPort, NetworkProtocol.Tcp => Server.TcpPort, _ => Server.TlsPort!.Value },
        Protocol = protocol,
        Framing = framing,
        Message = new SyslogFormatterOptions { Facility = SyslogFacility.Local4, Hostname = "test-host", AppName = app, ProcessId = "4242" },
        Tls = Trusting(),
        Batching = new BatchingOptions { Period = TimeSpan.FromMilliseconds(20), MaxRetries = 3, MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) },
    };

    private TlsOptions Trusting()
    {
        var tls = new TlsOptions { TargetHost = "localhost" };
        if (Server.Authority is { } ca) tls.TrustedAuthorities.Add(ca.PublicCertificate);
        return tls;
    }

    private static async Task LogAsync(ILogSink sink, Action<Logger> log)
    {
        await using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).WriteTo(sink).Build();
        log(pipeline.GetLogger("Shop.Orders"));
        await pipeline.FlushAsync();
    }

    public static TheoryData<NetworkProtocol, MessageFraming> Transports => new()
    {
        { NetworkProtocol.Udp, MessageFraming.OctetCounting },
        { NetworkProtocol.Tcp, MessageFraming.OctetCounting },
        { NetworkProtocol.Tcp, MessageFraming.LineFeed },
        { NetworkProtocol.Tls, MessageFraming.OctetCounting },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Rsyslog_parses_header_fields_and_every_structured_data_param(NetworkProtocol protocol, MessageFraming framing)
    {
        string app = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var sink = new SyslogSink(Options(protocol, app, framing));
        await LogAsync(sink, log =>
        {
            log.Write(LogLevel.Warn, null, "Order {OrderId} for {Customer} failed: {Reason}", [
                new LogProperty("OrderId", LogValue.From(1234)),
                new LogProperty("Customer", LogValue.From("Zoë \"the\" [admin] \\ 東京")),
                new LogProperty("Reason", LogValue.From("a]b\"c\\d")),
                new LogProperty("bad name=x", LogValue.From("v")),
            ], eventName: "OrderFailed");
            log.Info("plain {N}", 7);
        });
        Assert.Equal(0, sink.EventsFailed);
        var records = await Server.WaitForAsync(r => r.AppName == app, 2, Wait);
        var r = records.Single(x => x.MsgId == "OrderFailed");
        Assert.Equal((int)SyslogFacility.Local4, r.Facility);
        Assert.Equal((int)SyslogSeverity.Warning, r.Severity);
        Assert.Equal(20 * 8 + 4, r.Pri);
        Assert.Equal("test-host", r.Hostname);
        Assert.Equal("4242", r.ProcId);
        Assert.Equal("1234", r.Param(SdId, "OrderId"));
        Assert.Equal("Zoë \"the\" [admin] \\ 東京", r.Param(SdId, "Customer"));
        Assert.Equal("a]b\"c\\d", r.Param(SdId, "Reason"));
        Assert.Equal("v", r.Param(SdId, "bad_name_x"));
        Assert.Equal("Shop.Orders", r.Param(SdId, "category"));
        Assert.StartsWith("\uFEFF", r.Message);
        Assert.Equal("Order 1234 for Zoë \"the\" [admin] \\ 東京 failed: a]b\"c\\d", r.MessageText);
        var plain = records.Single(x => x.MsgId == "-");
        Assert.Equal((int)SyslogSeverity.Informational, plain.Severity);
        Assert.Equal("plain 7", plain.MessageText);
    }

    [Theory]
    [InlineData(NetworkProtocol.Udp)]
    [InlineData(NetworkProtocol.Tcp)]
    public async Task Crlf_injection_in_message_and_values_cannot_forge_a_second_message(NetworkProtocol protocol)
    {
        string app = "t" + Guid.NewGuid().ToString("N")[..10];
        string evil = "e" + Guid.NewGuid().ToString("N")[..10];
        string forged = $"\n<11>1 2026-01-01T00:00:00Z forged {evil} - - - pwned\r\n25 <11>1 - - {evil} - - - x";
        await using var sink = new SyslogSink(Options(protocol, app, MessageFraming.LineFeed));
        await LogAsync(sink, log =>
        {
            log.Info("user said {Input}", forged);
            log.Write(LogLevel.Info, null, "second", [new LogProperty("v", LogValue.From(forged + "\u2028\u0085\u001b"))]);
            log.Info("after");
        });
        var records = await Server.WaitForAsync(r => r.AppName == app, 3, Wait);
        Assert.Equal(3, records.Count);
        Assert.DoesNotContain(Server.Records, r => r.AppName == evil || r.Hostname == "forged");
        var first = records.Single(r => r.MessageText.StartsWith("user said"));
        Assert.DoesNotContain('\n', first.Message);
        Assert.Contains("\\n<11>1", first.MessageText);
        var second = records.Single(r => r.MessageText == "second");
        Assert.Contains("\\r\\n25", second.Param(SdId, "v"));
        Assert.EndsWith("\\u2028\\u0085\\u001b", second.Param(SdId, "v"));
    }

    [Fact]
    public async Task Each_level_maps_to_its_syslog_severity()
    {
        string app = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var sink = new SyslogSink(Options(NetworkProtocol.Tcp, app));
        await LogAsync(sink, log =>
        {
            foreach (var level in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Info, LogLevel.Warn, LogLevel.Error, LogLevel.Fatal })
                log.Write(level, null, level.ToString(), default);
        });
        var records = await Server.WaitForAsync(r => r.AppName == app, 6, Wait);
        var severities = records.ToDictionary(r => r.MessageText, r => r.Severity);
        Assert.Equal(7, severities["Trace"]);
        Assert.Equal(7, severities["Debug"]);
        Assert.Equal(6, severities["Info"]);
        Assert.Equal(4, severities["Warn"]);
        Assert.Equal(3, severities["Error"]);
        Assert.Equal(2, severities["Fatal"]);
    }

    [Fact]
    public async Task Oversized_udp_message_is_truncated_visibly_not_split()
    {
        string app = "t" + Guid.NewGuid().ToString("N")[..10];
        var options = Options(NetworkProtocol.Udp, app);
        options.MaxDatagramBytes = 480;
        await using var sink = new SyslogSink(options);
        string big = new('€', 1000);
        await LogAsync(sink, log => log.Info("big {Payload} {Next}", big, "after"));
        var r = Assert.Single(await Server.WaitForAsync(x => x.AppName == app, 1, Wait));
        Assert.Equal(1, sink.MessagesTruncated);
        // still well-formed: rsyslog parsed the structured data, the cut value and MSG say they were cut
        var payload = r.Param(SdId, "Payload");
        Assert.NotNull(payload);
        Assert.EndsWith("...[truncated]", payload);
        Assert.Matches("^€+\\.\\.\\.\\[truncated\\]$", payload); // cut on a character boundary
        Assert.Equal("true", r.Param(SdId, "truncated"));
        Assert.Null(r.Param(SdId, "Next"));
        Assert.EndsWith("...[truncated]", r.MessageText);
    }

    [Fact]
    public async Task Rfc3164_messages_are_parsed_by_rsyslog()
    {
        string app = "t" + Guid.NewGuid().ToString("N")[..10];
        var options = Options(NetworkProtocol.Udp, app);
        options.Format = SyslogFormat.Rfc3164;
        await using var sink = new SyslogSink(options);
        await LogAsync(sink, log => log.Error("legacy {Code}", 500));
        var r = Assert.Single(await Server.WaitForAsync(x => x.AppName == app, 1, Wait));
        Assert.Equal(20, r.Facility);
        Assert.Equal(3, r.Severity);
        Assert.Equal("test-host", r.Hostname);
        Assert.Contains("legacy 500", r.Message);
        Assert.Contains("Code=\"500\"", r.Message);
    }

    [Fact]
    public async Task Tls_server_with_untrusted_certificate_is_refused_by_default_and_accepted_with_its_ca()
    {
        string untrusted = "u" + Guid.NewGuid().ToString("N")[..10];
        var refused = Options(NetworkProtocol.Tls, untrusted);
        refused.Tls = new TlsOptions { TargetHost = "localhost" }; // system trust store only
        refused.Batching.MaxRetries = 0;
        await using (var sink = new SyslogSink(refused))
        {
            await LogAsync(sink, log => log.Info("must not arrive"));
            Assert.Equal(1, sink.EventsFailed);
            Assert.Equal(0, sink.EventsWritten);
        }

        string wrongName = "n" + Guid.NewGuid().ToString("N")[..10];
        var mismatch = Options(NetworkProtocol.Tls, wrongName);
        mismatch.Tls.TargetHost = "not-the-server.example";
        mismatch.Batching.MaxRetries = 0;
        await using (var sink = new SyslogSink(mismatch))
        {
            await LogAsync(sink, log => log.Info("must not arrive either"));
            Assert.Equal(1, sink.EventsFailed);
        }

        string trusted = "t" + Guid.NewGuid().ToString("N")[..10];
        await using (var sink = new SyslogSink(Options(NetworkProtocol.Tls, trusted)))
        {
            await LogAsync(sink, log => log.Info("over tls"));
            Assert.Equal(1, sink.EventsWritten);
        }
        var r = Assert.Single(await Server.WaitForAsync(x => x.AppName == trusted, 1, Wait));
        Assert.Equal("over tls", r.MessageText);
        Assert.DoesNotContain(Server.Records, x => x.AppName == untrusted || x.AppName == wrongName);
    }
}
