using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StructuredLog;
using StructuredLog.Extensions.Logging;

namespace Microsoft.Extensions.Logging;

/// <summary>Registers StructuredLog as a Microsoft.Extensions.Logging provider.</summary>
public static class StructuredLogLoggingBuilderExtensions
{
    /// <summary>
    /// Adds the StructuredLog provider: a <see cref="LogPipeline"/> (also registered in the container)
    /// built from <paramref name="configure"/> and the <c>StructuredLog</c> configuration section.
    /// The levels of the <c>StructuredLog</c> section decide alone: MEL's own rule for this provider is set
    /// to the pipeline's lowest level (and follows it when the levels change), so MEL turns away only the
    /// calls no StructuredLog category would take, without calling the provider; provider-specific MEL
    /// rules per category (<c>Logging:StructuredLog:LogLevel</c>) still apply on top.
    /// </summary>
    public static ILoggingBuilder AddStructuredLog(this ILoggingBuilder builder, Action<StructuredLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StructuredLogOptions>();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(sp => new ConfiguredPipeline(sp.GetRequiredService<IOptions<StructuredLogOptions>>().Value, sp.GetService<IConfiguration>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredPipeline>().Pipeline);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, StructuredLogLoggerProvider>(sp => new StructuredLogLoggerProvider(sp.GetRequiredService<LogPipeline>())));
        AddLevelFilter(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds the StructuredLog provider around a pipeline built elsewhere; the caller keeps ownership
    /// (disposes it). The pipeline is also registered in the container. MEL's rule for this provider follows
    /// the pipeline's lowest level, as with the other overload.
    /// </summary>
    public static ILoggingBuilder AddStructuredLog(this ILoggingBuilder builder, LogPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(pipeline);
        builder.Services.TryAddSingleton(pipeline);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, StructuredLogLoggerProvider>(_ => new StructuredLogLoggerProvider(pipeline)));
        AddLevelFilter(builder.Services);
        return builder;
    }

    private static void AddLevelFilter(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(PipelineLevelFilter))) return;
        services.AddSingleton(sp => new PipelineLevelFilter(sp.GetRequiredService<LogPipeline>()));
        services.AddSingleton<IConfigureOptions<LoggerFilterOptions>>(sp => sp.GetRequiredService<PipelineLevelFilter>());
        services.AddSingleton<IOptionsChangeTokenSource<LoggerFilterOptions>>(sp => sp.GetRequiredService<PipelineLevelFilter>());
    }
}
