using StructuredLog.TestSupport.Api;
using Xunit;

namespace StructuredLog.AspNetCore.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(Microsoft.AspNetCore.Builder.StructuredLogApplicationBuilderExtensions).Assembly, "StructuredLog.AspNetCore.Tests", "StructuredLog.AspNetCore.txt");
}
