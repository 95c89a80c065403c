using StructuredLog.TestSupport.Api;
using Xunit;

namespace StructuredLog.Extensions.Logging.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(Microsoft.Extensions.DependencyInjection.StructuredLogServiceCollectionExtensions).Assembly, "StructuredLog.Extensions.Logging.Tests", "StructuredLog.Extensions.Logging.txt");
}
