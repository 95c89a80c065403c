using StructuredLog.TestSupport.Api;

namespace StructuredLog.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_the_core_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(LogPipeline).Assembly, "StructuredLog.Tests", "StructuredLog.txt");
}
