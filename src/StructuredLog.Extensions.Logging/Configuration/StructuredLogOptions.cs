using Microsoft.Extensions.Configuration;
using StructuredLog.Formatting;
using StructuredLog.Sinks;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace StructuredLog.Extensions.Logging;

/// <summary>
/// Settings of the StructuredLog provider, set in code by <c>AddStructuredLog(o =&gt; ...)</c>. The
/// configuration section (default <c>StructuredLog</c>) is applied on top: its <c>LogLevel</c> entries
/// win over <see cref="MinimumLevel"/> and <see cref="Override"/>, and are re-applied whenever the
/// configuration reloads.
/// </summary>
public sealed class StructuredLogOptions
{
    internal readonly Dictionary<string, MelLevel> Overrides = new(StringComparer.Ordinal);
    internal readonly List<(ILogSink Sink, MelLevel MinimumLevel)> Sinks = new();
    internal readonly List<Action<LogPipelineBuilder>> PipelineActions = new();
    internal readonly Dictionary<string, Func<IConfigurationSection, ILogSink>> SinkFactories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Console"] = ConfiguredSinks.Console,
        ["File"] = ConfiguredSinks.File,
    };

    /// <summary>The default minimum level (default Information); <c>StructuredLog:LogLevel:Default</c> overrides it.</summary>
    public MelLevel MinimumLevel { get; set; } = MelLevel.Information;

    /// <summary>
    /// Name of the configuration section read from the application's <see cref="IConfiguration"/>
    /// (default <c>StructuredLog</c>); null reads no configuration.
    /// </summary>
    public string? ConfigurationSectionName { get; set; } = "StructuredLog";

    /// <summary>A configuration section to read instead of looking one up by <see cref="ConfigurationSectionName"/>.</summary>
    public IConfiguration? Configuration { get; set; }

    /// <summary>Re-applies the levels of the configuration section when it reloads (default true).</summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>When neither code nor configuration adds a sink, write to the console (text on a terminal); default true.</summary>
    public bool ConsoleWhenNoSink { get; set; } = true;

    /// <summary>The formatter of a console sink added because no sink was configured (null: text, coloured on a terminal).</summary>
    public ILogFormatter? DefaultConsoleFormatter { get; set; }

    /// <summary>Sets the minimum level of categories starting with <paramref name="categoryPrefix"/> (the longest prefix wins).</summary>
    public StructuredLogOptions Override(string categoryPrefix, MelLevel level)
    {
        ArgumentNullException.ThrowIfNull(categoryPrefix);
        Overrides[categoryPrefix] = level;
        return this;
    }

    /// <summary>Adds a sink, optionally with its own minimum level.</summary>
    public StructuredLogOptions WriteTo(ILogSink sink, MelLevel minimumLevel = MelLevel.Trace)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Sinks.Add((sink, minimumLevel));
        return this;
    }

    /// <summary>Applies further settings to the underlying <see cref="LogPipelineBuilder"/> (enrichers, sampling, redaction...).</summary>
    public StructuredLogOptions ConfigurePipeline(Action<LogPipelineBuilder> configure)
    {
        PipelineActions.Add(configure ?? throw new ArgumentNullException(nameof(configure)));
        return this;
    }

    /// <summary>
    /// Lets the configuration section create sinks of another package: a child section named
    /// <paramref name="key"/> (e.g. <c>StructuredLog:Syslog</c>) is passed to <paramref name="factory"/>.
    /// <c>Console</c> and <c>File</c> are known already.
    /// </summary>
    public StructuredLogOptions AddConfigurableSink(string key, Func<IConfigurationSection, ILogSink> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        SinkFactories[key] = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }
}
