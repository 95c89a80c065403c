using Microsoft.Extensions.DependencyInjection;
using StructuredLog;
using StructuredLog.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds StructuredLog request logging to an ASP.NET Core application.</summary>
public static class StructuredLogApplicationBuilderExtensions
{
    /// <summary>
    /// Logs one event per request at its completion and correlates every event of the request (scope
    /// with <c>RequestId</c> and <c>TraceId</c>). Needs a <see cref="LogPipeline"/> in the container
    /// (<c>builder.Logging.AddStructuredLog()</c> registers one). Put it early in the pipeline so that it
    /// sees the exceptions of everything after it.
    /// </summary>
    public static IApplicationBuilder UseStructuredLogRequests(this IApplicationBuilder app, Action<RequestLoggingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var pipeline = app.ApplicationServices.GetService<LogPipeline>()
            ?? throw new InvalidOperationException("UseStructuredLogRequests needs a StructuredLog pipeline: call builder.Logging.AddStructuredLog() (or register a LogPipeline) first.");
        var options = new RequestLoggingOptions();
        configure?.Invoke(options);
        return app.UseMiddleware<RequestLoggingMiddleware>(pipeline, options);
    }
}
