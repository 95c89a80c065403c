namespace StructuredLog.Sinks.Network.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_the_network_sinks_matches_its_reviewed_baseline() =>
        StructuredLog.TestSupport.Api.PublicApiBaseline.Verify(typeof(StructuredLog.Sinks.Network.Syslog.SyslogSink).Assembly, "StructuredLog.Sinks.Network.Tests", "StructuredLog.Sinks.Network.txt");
}
