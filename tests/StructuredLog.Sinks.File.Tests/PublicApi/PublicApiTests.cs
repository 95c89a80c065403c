using StructuredLog.TestSupport.Api;
using Xunit;

namespace StructuredLog.Sinks.File.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(StructuredLog.Sinks.File.FileSink).Assembly, "StructuredLog.Sinks.File.Tests", "StructuredLog.Sinks.File.txt");
}
