using System.Text;
using System.Text.Json;
using StructuredLog.Sinks;

namespace StructuredLog.Tests.Formatting;

/// <summary>Regression: rendering a destructured hole whose object holds strings must not overwrite the message being rendered.</summary>
public sealed class DestructuredMessageTests
{
    [Fact]
    public async Task The_rendered_message_with_a_destructured_object_is_intact()
    {
        var stream = new MemoryStream();
        await using (var pipeline = new LogPipelineBuilder().WriteTo(new StreamSink(stream)).Build())
        {
            pipeline.GetLogger("D").Info("Order {OrderId} for {@Customer} done", 42, new { Name = "alice", Tier = "gold" });
        }
        var line = Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n');
        var e = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Order 42 for {\"Name\":\"alice\",\"Tier\":\"gold\"} done", e.GetProperty("@m").GetString());
        Assert.Equal("alice", e.GetProperty("Customer").GetProperty("Name").GetString());
    }
}
