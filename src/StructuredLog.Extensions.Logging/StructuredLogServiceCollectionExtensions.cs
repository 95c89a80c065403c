using Microsoft.Extensions.Logging;
using StructuredLog.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StructuredLog on a service collection.</summary>
public static class StructuredLogServiceCollectionExtensions
{
    /// <summary>Same as <c>services.AddLogging(b =&gt; b.AddStructuredLog(configure))</c>.</summary>
    public static IServiceCollection AddStructuredLog(this IServiceCollection services, Action<StructuredLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddLogging(b => b.AddStructuredLog(configure));
    }
}
