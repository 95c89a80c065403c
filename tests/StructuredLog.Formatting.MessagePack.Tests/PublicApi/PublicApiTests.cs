using StructuredLog.TestSupport.Api;
using Xunit;

namespace StructuredLog.Formatting.MessagePack.Tests.PublicApi;

public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_matches_its_reviewed_baseline() =>
        PublicApiBaseline.Verify(typeof(StructuredLog.Formatting.MessagePack.MessagePackFormatter).Assembly, "StructuredLog.Formatting.MessagePack.Tests", "StructuredLog.Formatting.MessagePack.txt");
}
