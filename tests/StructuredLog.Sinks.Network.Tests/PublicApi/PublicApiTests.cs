namespace StructuredLog.Sinks.Network.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_the_network_sinks_matches_its_reviewed_baseline() =>
        Support.PublicApi.AssertMatchesBaseline(typeof(StructuredLog.Sinks.Network.Syslog.SyslogSink).Assembly, "StructuredLog.Sinks.Network.txt");
}
