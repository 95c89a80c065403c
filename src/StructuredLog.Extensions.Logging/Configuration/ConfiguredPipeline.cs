using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using StructuredLog.Diagnostics;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// The pipeline built from <see cref="StructuredLogOptions"/> and the <c>StructuredLog</c>
/// configuration section, and the subscription that re-applies the section's levels on reload.
/// Section shape:
/// <code>
/// "StructuredLog": {
///   "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" },
///   "BufferSize": 16384, "Backpressure": "Wait",
///   "Console": { "Format": "Json" },
///   "File": { "Path": "logs/app.jsonl" }
/// }
/// </code>
/// Errors name the key (<see cref="LogConfigurationException"/>) and fail at start-up; a bad value in
/// a later reload is reported through the self-log and the previous levels stay.
/// </summary>
internal sealed class ConfiguredPipeline : IDisposable, IAsyncDisposable
{
    private static readonly HashSet<string> s_knownKeys = new(StringComparer.OrdinalIgnoreCase) { "LogLevel", "BufferSize", "Backpressure" };

    private readonly StructuredLogOptions _options;
    private readonly IConfiguration? _section;
    private readonly IDisposable? _reload;

    public ConfiguredPipeline(StructuredLogOptions options, IConfiguration? appConfiguration)
    {
        _options = options;
        _section = options.Configuration
            ?? (options.ConfigurationSectionName is { } name && appConfiguration is not null ? appConfiguration.GetSection(name) : null);

        var builder = new LogPipelineBuilder();
        var (level, overrides) = ReadLevels();
        builder.MinimumLevel(level);
        foreach (var (category, l) in overrides) builder.Override(category, l);
        int sinkCount = 0;
        foreach (var (sink, min) in options.Sinks)
        {
            builder.WriteTo(sink, LevelMapping.ToStructuredLog(min));
            sinkCount++;
        }
        if (_section is not null)
        {
            foreach (var child in _section.GetChildren())
            {
                if (s_knownKeys.Contains(child.Key)) continue;
                if (!options.SinkFactories.TryGetValue(child.Key, out var factory))
                    throw new LogConfigurationException(child.Path, child.Value, "unknown StructuredLog setting (known: LogLevel, BufferSize, Backpressure, " + string.Join(", ", options.SinkFactories.Keys) + ")");
                if (child.Value is null && !child.GetChildren().Any()) continue;
                if (string.Equals(child["Enabled"], "false", StringComparison.OrdinalIgnoreCase)) continue;
                var minText = child["MinimumLevel"];
                var sinkMin = minText is null ? LogLevel.Trace : LogPipelineBuilder.ParseLevel(child.Path + ":MinimumLevel", minText);
                builder.WriteTo(factory(child), sinkMin, child.Key);
                sinkCount++;
            }
            if (_section["BufferSize"] is { } size)
            {
                if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int events))
                    throw new LogConfigurationException(PathOf("BufferSize"), size, "expected a whole number");
                builder.BufferSize(events);
            }
            if (_section["Backpressure"] is { } bp)
            {
                if (!Enum.TryParse<BackpressurePolicy>(bp, ignoreCase: true, out var policy) || !Enum.IsDefined(policy) || int.TryParse(bp, out _))
                    throw new LogConfigurationException(PathOf("Backpressure"), bp, "expected one of " + string.Join(", ", Enum.GetNames<BackpressurePolicy>()));
                builder.Backpressure(policy);
            }
        }
        foreach (var action in options.PipelineActions) action(builder);
        if (sinkCount == 0 && options.ConsoleWhenNoSink) builder.WriteTo(new Sinks.ConsoleSink(options.DefaultConsoleFormatter));
        Pipeline = builder.Build();

        if (_section is not null && options.ReloadOnChange)
            _reload = ChangeToken.OnChange(_section.GetReloadToken, ApplyLevels);
    }

    public LogPipeline Pipeline { get; }

    private string PathOf(string key) => _section is IConfigurationSection s ? s.Path + ":" + key : key;

    /// <summary>Code levels, with the section's <c>LogLevel</c> entries on top.</summary>
    private (LogLevel Default, Dictionary<string, LogLevel> Overrides) ReadLevels()
    {
        var level = LevelMapping.ToStructuredLog(_options.MinimumLevel);
        var overrides = new Dictionary<string, LogLevel>(StringComparer.Ordinal);
        foreach (var (category, l) in _options.Overrides) overrides[category] = LevelMapping.ToStructuredLog(l);
        var levels = _section?.GetSection("LogLevel");
        if (levels is not null)
        {
            foreach (var entry in levels.GetChildren())
            {
                var parsed = LogPipelineBuilder.ParseLevel(entry.Path, entry.Value);
                if (string.Equals(entry.Key, "Default", StringComparison.OrdinalIgnoreCase)) level = parsed;
                else overrides[entry.Key] = parsed;
            }
        }
        return (level, overrides);
    }

    private void ApplyLevels()
    {
        try
        {
            var (level, overrides) = ReadLevels();
            Pipeline.SetMinimumLevel(level, overrides);
        }
        catch (Exception ex)
        {
            SelfLog.Write("configuration", "levels not reloaded, the previous ones stay: " + ex.Message);
        }
    }

    public void Dispose()
    {
        _reload?.Dispose();
        Pipeline.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _reload?.Dispose();
        await Pipeline.DisposeAsync().ConfigureAwait(false);
    }
}
