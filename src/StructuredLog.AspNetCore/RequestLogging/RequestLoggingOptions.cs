using Microsoft.AspNetCore.Http;

namespace StructuredLog.AspNetCore;

/// <summary>Settings of <c>app.UseStructuredLogRequests()</c>.</summary>
public sealed class RequestLoggingOptions
{
    /// <summary>The category of the completion events (default <c>StructuredLog.AspNetCore.Requests</c>).</summary>
    public string Category { get; set; } = "StructuredLog.AspNetCore.Requests";

    /// <summary>
    /// The template of the completion event. Its holes bind by name to the event's properties:
    /// <c>RequestMethod</c>, <c>RequestPath</c>, <c>RouteTemplate</c>, <c>StatusCode</c>, <c>Elapsed</c>
    /// (milliseconds), <c>RequestId</c>, <c>TraceId</c>, <c>ClientAddress</c>, <c>UserAgent</c>, <c>ResponseSize</c>.
    /// </summary>
    public string MessageTemplate { get; set; } = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.000} ms";

    /// <summary>
    /// Requests whose path starts with one of these segments (<c>/health</c> matches <c>/health/ready</c>)
    /// write no completion event when they succeed; a 5xx or an exception is still logged. Default
    /// <c>/health</c>, <c>/healthz</c>.
    /// </summary>
    public IList<PathString> ExcludedPaths { get; } = new List<PathString> { "/health", "/healthz" };

    /// <summary>Further exclusion rule, evaluated after <see cref="ExcludedPaths"/> (null: none).</summary>
    public Func<HttpContext, bool>? Exclude { get; set; }

    /// <summary>Request headers written as <c>RequestHeader.&lt;Name&gt;</c> properties (opt-in; default none).</summary>
    public IList<string> RequestHeaders { get; } = new List<string>();

    /// <summary>Response headers written as <c>ResponseHeader.&lt;Name&gt;</c> properties (opt-in; default none).</summary>
    public IList<string> ResponseHeaders { get; } = new List<string>();

    /// <summary>
    /// Headers whose value is written as <c>***</c> when they are logged: by default
    /// <c>Authorization</c>, <c>Proxy-Authorization</c>, <c>Cookie</c>, <c>Set-Cookie</c>. Case-insensitive.
    /// </summary>
    public ISet<string> RedactedHeaders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
    };

    /// <summary>
    /// Chooses the level of the completion event from the context, the elapsed milliseconds and the
    /// exception (null: 5xx or an exception → Error, 4xx → Warn, otherwise Info).
    /// </summary>
    public Func<HttpContext, double, Exception?, LogLevel>? GetLevel { get; set; }

    /// <summary>
    /// When true the unhandled exception is re-thrown after it was logged (for an outer exception
    /// handler); ASP.NET Core may then log it a second time. Default false: the response gets a 500
    /// (or the connection is aborted when the response had already started).
    /// </summary>
    public bool RethrowExceptions { get; set; }

    /// <summary>The default level rule.</summary>
    public static LogLevel DefaultLevel(HttpContext context, double elapsedMilliseconds, Exception? exception)
    {
        ArgumentNullException.ThrowIfNull(context);
        int status = context.Response.StatusCode;
        return exception is not null || status >= 500 ? LogLevel.Error : status >= 400 ? LogLevel.Warn : LogLevel.Info;
    }
}
