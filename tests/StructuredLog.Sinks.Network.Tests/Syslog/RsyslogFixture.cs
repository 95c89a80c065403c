using StructuredLog.TestSupport.Syslog;

namespace StructuredLog.Sinks.Network.Tests.Syslog;

/// <summary>One rsyslogd (UDP, TCP and TLS listeners) shared by the syslog tests of a class.</summary>
public sealed class RsyslogFixture : IAsyncLifetime
{
    public RsyslogServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RsyslogServer.StartAsync(tls: true);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
