using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StructuredLog.Extensions.Logging.Tests.Logging;
using StructuredLog.Extensions.Logging.Tests.Support;
using StructuredLog.Sinks;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;
using StructuredLog.TestSupport.Sinks;

namespace StructuredLog.Extensions.Logging.Tests.Configuration;

public sealed class LevelTests
{
    [Fact]
    public async Task Levels_per_category_come_from_the_StructuredLog_section()
    {
        await using var host = new LoggingHost(new Dictionary<string, string?>
        {
            ["StructuredLog:LogLevel:Default"] = "Debug",
            ["StructuredLog:LogLevel:Microsoft"] = "Warning",
            ["StructuredLog:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        });
        var app = host.Factory.CreateLogger("App.Cache");
        var ms = host.Factory.CreateLogger("Microsoft.AspNetCore.Routing");
        var lifetime = host.Factory.CreateLogger("Microsoft.Hosting.Lifetime");

        Assert.True(app.IsEnabled(MelLevel.Debug));
        Assert.False(app.IsEnabled(MelLevel.Trace));
        Assert.False(ms.IsEnabled(MelLevel.Information));
        Assert.True(ms.IsEnabled(MelLevel.Warning));
        Assert.True(lifetime.IsEnabled(MelLevel.Information));
        Assert.False(app.IsEnabled(MelLevel.None));

        LoggerMessages.CacheMissed(app, "k1");       // Debug: written (MEL's own default of Information does not hide it)
        app.LogTrace("hidden");
        ms.LogInformation("hidden");
        ms.LogWarning("shown {N}", 1);
        lifetime.LogInformation("started");

        var events = await host.FlushAsync();
        Assert.Equal(["Cache {Key} missed", "shown {N}", "started"], events.Select(e => e.Template).ToArray());
    }

    [Fact]
    public void Levels_map_one_to_one_and_None_or_unknown_levels_are_never_enabled()
    {
        (MelLevel Mel, LogLevel Ours)[] pairs =
        [
            (MelLevel.Trace, LogLevel.Trace), (MelLevel.Debug, LogLevel.Debug), (MelLevel.Information, LogLevel.Info),
            (MelLevel.Warning, LogLevel.Warn), (MelLevel.Error, LogLevel.Error), (MelLevel.Critical, LogLevel.Fatal), (MelLevel.None, LogLevel.Off),
        ];
        foreach (var (mel, ours) in pairs)
        {
            Assert.Equal(ours, LevelMapping.ToStructuredLog(mel));
            Assert.Equal(mel, LevelMapping.ToMicrosoft(ours));
        }
        Assert.Equal(LogLevel.Off, LevelMapping.ToStructuredLog((MelLevel)7));
        Assert.Equal(LogLevel.Off, LevelMapping.ToStructuredLog((MelLevel)(-1)));

        using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Trace).FlushOnProcessExit(false).Build();
        using var provider = new StructuredLogLoggerProvider(pipeline);
        var logger = provider.CreateLogger("Levels");
        foreach (var (mel, _) in pairs[..^1]) Assert.True(logger.IsEnabled(mel));
        Assert.False(logger.IsEnabled(MelLevel.None));
        Assert.False(logger.IsEnabled((MelLevel)7));
        Assert.False(logger.IsEnabled((MelLevel)(-1)));
    }

    [Fact]
    public void MEL_filters_below_the_pipelines_lowest_level_and_follows_changes_made_in_code()
    {
        using var pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).FlushOnProcessExit(false).Build();
        using var services = new ServiceCollection().AddLogging(b => b.AddStructuredLog(pipeline)).BuildServiceProvider();
        var factory = services.GetRequiredService<ILoggerFactory>();
        MelLevel? Rule() => services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<LoggerFilterOptions>>().CurrentValue.Rules
            .Last(r => r.ProviderName == typeof(StructuredLogLoggerProvider).FullName && r.CategoryName is null).LogLevel;

        Assert.Equal(MelLevel.Information, Rule());
        var app = factory.CreateLogger("App");
        var verbose = factory.CreateLogger("App.Verbose");
        Assert.False(app.IsEnabled(MelLevel.Debug));
        Assert.True(app.IsEnabled(MelLevel.Information));

        pipeline.SetMinimumLevel(LogLevel.Info, new Dictionary<string, LogLevel> { ["App.Verbose"] = LogLevel.Trace });
        Assert.Equal(MelLevel.Trace, Rule());
        Assert.True(verbose.IsEnabled(MelLevel.Trace));
        Assert.False(app.IsEnabled(MelLevel.Debug)); // MEL lets it through now; the provider's level for App says no

        pipeline.SetMinimumLevel(LogLevel.Warn);
        Assert.Equal(MelLevel.Warning, Rule());
        Assert.False(verbose.IsEnabled(MelLevel.Information));
        Assert.True(verbose.IsEnabled(MelLevel.Error));

        pipeline.SetMinimumLevel(LogLevel.Off);
        Assert.Equal(MelLevel.None, Rule());
        Assert.False(app.IsEnabled(MelLevel.Critical));
    }

    [Fact]
    public async Task The_configuration_wins_over_code_and_code_applies_without_it()
    {
        await using var host = new LoggingHost(
            new Dictionary<string, string?> { ["StructuredLog:LogLevel:Noisy"] = "Error" },
            o => { o.MinimumLevel = MelLevel.Warning; o.Override("Noisy", MelLevel.Trace).Override("Chatty", MelLevel.Trace); });

        Assert.False(host.Factory.CreateLogger("App").IsEnabled(MelLevel.Information));
        Assert.True(host.Factory.CreateLogger("App").IsEnabled(MelLevel.Warning));
        Assert.False(host.Factory.CreateLogger("Noisy.Part").IsEnabled(MelLevel.Warning));
        Assert.True(host.Factory.CreateLogger("Chatty").IsEnabled(MelLevel.Trace));
    }

    [Fact]
    public async Task Levels_follow_a_configuration_reload()
    {
        await using var host = new LoggingHost(new Dictionary<string, string?> { ["StructuredLog:LogLevel:Default"] = "Information" });
        var logger = host.Factory.CreateLogger("App");
        Assert.False(logger.IsEnabled(MelLevel.Debug));
        logger.LogDebug("before reload");

        host.Configuration["StructuredLog:LogLevel:Default"] = "Debug";
        host.Configuration["StructuredLog:LogLevel:App.Quiet"] = "Error";
        host.Configuration.Reload();

        Assert.True(logger.IsEnabled(MelLevel.Debug));
        Assert.False(host.Factory.CreateLogger("App.Quiet").IsEnabled(MelLevel.Warning));
        logger.LogDebug("after reload");

        host.Configuration["StructuredLog:LogLevel:Default"] = "NotALevel";
        host.Configuration.Reload();
        Assert.True(logger.IsEnabled(MelLevel.Debug)); // a bad reload keeps the previous levels

        var events = await host.FlushAsync();
        Assert.Equal(["after reload"], events.Select(e => e.Message).ToArray());
    }

    [Fact]
    public async Task Provider_specific_MEL_filters_still_apply()
    {
        await using var host = new LoggingHost(
            new Dictionary<string, string?> { ["StructuredLog:LogLevel:Default"] = "Trace" },
            logging: b => b.AddFilter<StructuredLogLoggerProvider>("Filtered", MelLevel.Error));
        var filtered = host.Factory.CreateLogger("Filtered.Component");

        Assert.False(filtered.IsEnabled(MelLevel.Warning));
        Assert.True(filtered.IsEnabled(MelLevel.Error));
        Assert.True(host.Factory.CreateLogger("Other").IsEnabled(MelLevel.Trace));
    }

    [Fact]
    public void An_unknown_key_fails_at_start_naming_it()
    {
        var ex = Assert.Throws<LogConfigurationException>(() =>
        {
            using var host = new LoggingHost(new Dictionary<string, string?> { ["StructuredLog:Consle:Format"] = "Json" });
        });
        Assert.Contains("StructuredLog:Consle", ex.Message);
    }

    [Fact]
    public void A_bad_level_fails_at_start_naming_the_key()
    {
        var ex = Assert.Throws<LogConfigurationException>(() =>
        {
            using var host = new LoggingHost(new Dictionary<string, string?> { ["StructuredLog:LogLevel:Microsoft"] = "Loud" });
        });
        Assert.Contains("StructuredLog:LogLevel:Microsoft", ex.Message);
        Assert.Contains("Loud", ex.Message);
    }

    [Theory]
    [InlineData(null, QueueFullMode.DropNewest)]
    [InlineData("Block", QueueFullMode.Block)]
    [InlineData("dropnewest", QueueFullMode.DropNewest)]
    public async Task The_file_sink_from_the_section_drops_or_blocks_when_its_queue_is_full(string? setting, QueueFullMode expected)
    {
        var dir = Directory.CreateTempSubdirectory("sl-mel-");
        try
        {
            var settings = new Dictionary<string, string?> { ["StructuredLog:File:Path"] = Path.Combine(dir.FullName, "full.jsonl") };
            if (setting is not null) settings["StructuredLog:File:FullMode"] = setting;
            await using var host = new LoggingHost(settings);
            var file = Assert.Single(host.Pipeline.SinkStatuses, s => s.Sink is StreamSink).Sink;
            Assert.Equal(expected, ((StreamSink)file).FullMode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Wait")]
    [InlineData("1")]
    [InlineData("DropNewest, Block")]
    public void A_bad_file_FullMode_fails_at_start_naming_the_key(string value)
    {
        var ex = Assert.Throws<LogConfigurationException>(() =>
        {
            using var host = new LoggingHost(new Dictionary<string, string?>
            {
                ["StructuredLog:File:Path"] = Path.Combine(Path.GetTempPath(), $"sl-mel-bad-{Guid.NewGuid():N}.jsonl"),
                ["StructuredLog:File:FullMode"] = value,
            });
        });
        Assert.Contains("StructuredLog:File:FullMode", ex.Message);
        Assert.Contains("DropNewest or Block", ex.Message);
    }

    [Fact]
    public async Task The_section_can_add_a_json_file_sink()
    {
        var dir = Directory.CreateTempSubdirectory("sl-mel-");
        try
        {
            var path = Path.Combine(dir.FullName, "app.jsonl");
            await using (var host = new LoggingHost(new Dictionary<string, string?>
            {
                ["StructuredLog:File:Path"] = path,
                ["StructuredLog:File:MinimumLevel"] = "Warning",
                ["StructuredLog:BufferSize"] = "1024",
            }))
            {
                var logger = host.Factory.CreateLogger("FileTest");
                logger.LogInformation("only in memory");
                logger.LogWarning("Disk {Free} low", 3);
                Assert.Equal(1024, host.Pipeline.BufferSize);
            }
            var lines = File.ReadAllLines(path);
            var line = Assert.Single(lines);
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            Assert.Equal("Disk 3 low", doc.RootElement.GetProperty("@m").GetString());
            Assert.Equal(3, doc.RootElement.GetProperty("Free").GetInt32());
            Assert.Equal("FileTest", doc.RootElement.GetProperty("@c").GetString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Services_AddStructuredLog_registers_the_provider_and_the_pipeline()
    {
        var sink = new CollectingSink();
        var services = new ServiceCollection();
        services.AddStructuredLog(o => o.WriteTo(sink, MelLevel.Warning));
        await using (var sp = services.BuildServiceProvider())
        {
            var logger = sp.GetRequiredService<ILogger<LevelTests>>();
            logger.LogInformation("below the sink level");
            logger.LogWarning("kept");
            Assert.Contains(sp.GetServices<ILoggerProvider>(), p => p is StructuredLogLoggerProvider);
        }
        // disposing the container disposed (and so flushed) the pipeline
        var e = Assert.Single(sink.Events);
        Assert.Equal("kept", e.Message);
    }
}
