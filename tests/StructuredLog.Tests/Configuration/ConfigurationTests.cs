using StructuredLog.Tests.Support;

namespace StructuredLog.Tests.Configuration;

public sealed class ConfigurationTests
{
    [Fact]
    public void Environment_variables_set_levels_buffer_and_policy()
    {
        var b = new LogPipelineBuilder().ReadEnvironment(new Dictionary<string, string?>
        {
            ["STRUCTUREDLOG_MINIMUMLEVEL"] = "warning",
            ["STRUCTUREDLOG_MINIMUMLEVEL__Microsoft__AspNetCore"] = "Error",
            ["STRUCTUREDLOG_BUFFERSIZE"] = "1024",
            ["STRUCTUREDLOG_BACKPRESSURE"] = "DropNewest",
            ["PATH"] = "/usr/bin",
        });
        using var p = b.WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        Assert.Equal(LogLevel.Warn, p.MinimumLevel);
        Assert.Equal(1024, p.BufferSize);
        Assert.Equal(BackpressurePolicy.DropNewest, p.Backpressure);
        Assert.Equal(LogLevel.Error, p.GetLogger("Microsoft.AspNetCore.Hosting").MinimumLevel);
    }

    [Fact]
    public async Task Thread_lanes_are_switched_on_and_off_by_the_environment()
    {
        var on = new LogPipelineBuilder().ThreadLanes(256).ReadEnvironment(new Dictionary<string, string?> { ["STRUCTUREDLOG_THREADLANES"] = "2048" });
        await using (var p = on.WriteTo(new NullSink()).FlushOnProcessExit(false).Build())
        {
            Assert.NotNull(p.Lanes);
            Assert.Equal(2048, p.BufferSize);
        }
        var off = new LogPipelineBuilder().ThreadLanes().BufferSize(4096).ReadEnvironment(new Dictionary<string, string?> { ["STRUCTUREDLOG_THREADLANES"] = "0" });
        await using (var p = off.WriteTo(new NullSink()).FlushOnProcessExit(false).Build())
        {
            Assert.Null(p.Lanes);
            Assert.Equal(4096, p.BufferSize);
        }
    }

    [Theory]
    [InlineData("STRUCTUREDLOG_MINIMUMLEVEL", "loud")]
    [InlineData("STRUCTUREDLOG_BUFFERSIZE", "1000")]
    [InlineData("STRUCTUREDLOG_BUFFERSIZE", "-64")]
    [InlineData("STRUCTUREDLOG_BACKPRESSURE", "Sometimes")]
    [InlineData("STRUCTUREDLOG_BACKPRESSURE", "7")]
    [InlineData("STRUCTUREDLOG_MINIMUMLEVL", "Info")]
    [InlineData("STRUCTUREDLOG_THREADLANES", "100")]
    [InlineData("STRUCTUREDLOG_THREADLANES", "32")]
    [InlineData("STRUCTUREDLOG_THREADLANES", "on")]
    public void Bad_environment_values_throw_naming_the_key_and_value(string key, string value)
    {
        var ex = Assert.Throws<LogConfigurationException>(() =>
            new LogPipelineBuilder().ReadEnvironment(new Dictionary<string, string?> { [key] = value }));
        Assert.Equal(key, ex.Key);
        Assert.Equal(value, ex.Value);
        Assert.Contains(key, ex.Message);
        Assert.Contains(value, ex.Message);
    }

    [Fact]
    public void Bad_code_configuration_throws_at_build_time()
    {
        Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().BufferSize(100));
        Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().MinimumLevel((LogLevel)42));
        Assert.Throws<LogConfigurationException>(() => new LogPipelineBuilder().MaxValueLength(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StructuredLog.Sinks.BatchingOptions { BatchSizeLimit = 0 }.Validate());
    }

    [Fact]
    public async Task Static_entry_point_logs_through_the_configured_pipeline_and_is_silent_before()
    {
        Log.Logger.Info("dropped silently before configuration {X}", 1);
        var sink = new CollectingSink();
        Log.Configure(b => b.WriteTo(sink).FlushOnProcessExit(false));
        Log.Logger.Info("hello {Who}", "world");
        Log.For("Orders").Warn("order {Id}", 5);
        await Log.CloseAndFlushAsync();
        Assert.Equal(["hello world", "order 5"], sink.Events.Select(e => e.Message));
        Assert.Equal("Orders", sink.Events.Last().Category);
    }

    [Fact]
    public async Task GetLogger_returns_one_instance_per_category_and_type_names_for_generic()
    {
        await using var p = new LogPipelineBuilder().WriteTo(new NullSink()).FlushOnProcessExit(false).Build();
        Assert.Same(p.GetLogger("X"), p.GetLogger("X"));
        Assert.Equal(typeof(ConfigurationTests).FullName, p.GetLogger<ConfigurationTests>().Category);
    }
}
