using StructuredLog.TestSupport.Api;
using Xunit;

namespace StructuredLog.OpenTelemetry.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(StructuredLog.OpenTelemetry.OpenTelemetrySink).Assembly, "StructuredLog.OpenTelemetry.Tests", "StructuredLog.OpenTelemetry.txt");
}
