using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using StructuredLog.Events;
using StructuredLog.Filtering;

namespace StructuredLog.AspNetCore;

/// <summary>
/// Writes one event when each request completes and opens a scope (<c>RequestId</c>, <c>TraceId</c>)
/// that every event logged during the request carries. An unhandled exception is logged once, on the
/// completion event, and answered with a 500. Added by <c>app.UseStructuredLogRequests()</c>.
/// </summary>
public sealed class RequestLoggingMiddleware
{
    /// <summary>The name of the activity started when no other component started one for the request.</summary>
    public const string ActivityName = "StructuredLog.AspNetCore.Request";

    private const int FixedProperties = 10;

    private readonly RequestDelegate _next;
    private readonly Logger _logger;
    private readonly RequestLoggingOptions _options;
    private readonly PathString[] _excluded;
    private readonly (string Header, string Property, bool Redacted)[] _requestHeaders;
    private readonly (string Header, string Property, bool Redacted)[] _responseHeaders;
    private readonly Func<HttpContext, double, Exception?, LogLevel> _level;

    /// <summary>Creates the middleware (normally through <c>UseStructuredLogRequests</c>).</summary>
    public RequestLoggingMiddleware(RequestDelegate next, LogPipeline pipeline, RequestLoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _next = next ?? throw new ArgumentNullException(nameof(next));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = pipeline.GetLogger(options.Category);
        _excluded = options.ExcludedPaths.ToArray();
        _requestHeaders = options.RequestHeaders.Select(h => (h, "RequestHeader." + h, options.RedactedHeaders.Contains(h))).ToArray();
        _responseHeaders = options.ResponseHeaders.Select(h => (h, "ResponseHeader." + h, options.RedactedHeaders.Contains(h))).ToArray();
        _level = options.GetLevel ?? RequestLoggingOptions.DefaultLevel;
    }

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        Activity? ownActivity = Activity.Current is null ? StartActivity(context) : null;
        var activity = Activity.Current;
        string? traceId = activity is null ? null : activity.TraceId.ToHexString();

        var originalBody = context.Features.Get<IHttpResponseBodyFeature>();
        ResponseBodyCounter? counter = null;
        if (originalBody is not null)
        {
            counter = new ResponseBodyCounter(originalBody);
            context.Features.Set<IHttpResponseBodyFeature>(counter);
        }

        Exception? error = null;
        bool clientAborted = false;
        using (_logger.BeginScope("RequestId", context.TraceIdentifier, "TraceId", traceId))
        {
            try
            {
                await _next(context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                clientAborted = true;
            }
            catch (Exception ex)
            {
                error = ex;
                if (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                }
                else if (!_options.RethrowExceptions)
                {
                    // The status line is gone: the client must not mistake a cut body for a whole one.
                    context.Abort();
                }
            }
            finally
            {
                if (counter is not null) context.Features.Set(originalBody);
            }

            double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            try
            {
                Write(context, elapsedMs, error, clientAborted, counter?.Bytes ?? 0, traceId);
            }
            catch (Exception ex)
            {
                Diagnostics.SelfLog.Write("aspnetcore", "request event not written: " + ex.GetType().Name + ": " + ex.Message);
            }
        }
        ownActivity?.Stop();
        if (error is not null && _options.RethrowExceptions) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    private bool IsExcluded(HttpContext context)
    {
        var path = context.Request.Path;
        foreach (var excluded in _excluded)
        {
            if (path.StartsWithSegments(excluded, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return _options.Exclude?.Invoke(context) == true;
    }

    private void Write(HttpContext context, double elapsedMs, Exception? error, bool clientAborted, long responseBytes, string? traceId)
    {
        var request = context.Request;
        var response = context.Response;
        int status = clientAborted ? 499 : response.StatusCode;
        var level = clientAborted ? LogLevel.Warn : _level(context, elapsedMs, error);
        if (!_logger.IsEnabled(level)) return;
        if (error is null && status < 500 && IsExcluded(context)) return;

        int count = FixedProperties + _requestHeaders.Length + _responseHeaders.Length;
        var props = ArrayPool<LogProperty>.Shared.Rent(count);
        try
        {
            int n = 0;
            props[n++] = new LogProperty("RequestMethod", LogValue.From(request.Method));
            props[n++] = new LogProperty("RequestPath", LogValue.From(request.Path.Value ?? "/"));
            props[n++] = new LogProperty("RouteTemplate", LogValue.From((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText));
            props[n++] = new LogProperty("StatusCode", LogValue.From(status));
            props[n++] = new LogProperty("Elapsed", LogValue.From(elapsedMs));
            props[n++] = new LogProperty("RequestId", LogValue.From(context.TraceIdentifier));
            props[n++] = new LogProperty("TraceId", LogValue.From(traceId));
            props[n++] = new LogProperty("ClientAddress", LogValue.From(context.Connection.RemoteIpAddress?.ToString()));
            props[n++] = new LogProperty("UserAgent", LogValue.From(request.Headers.UserAgent.Count == 0 ? null : request.Headers.UserAgent.ToString()));
            props[n++] = new LogProperty("ResponseSize", LogValue.From(responseBytes));
            foreach (var (header, property, redacted) in _requestHeaders)
            {
                if (request.Headers.TryGetValue(header, out var values))
                    props[n++] = new LogProperty(property, LogValue.From(redacted ? Redactor.Mask : values.ToString()));
            }
            foreach (var (header, property, redacted) in _responseHeaders)
            {
                if (response.Headers.TryGetValue(header, out var values))
                    props[n++] = new LogProperty(property, LogValue.From(redacted ? Redactor.Mask : values.ToString()));
            }
            _logger.Write(level, error, _options.MessageTemplate, props.AsSpan(0, n));
        }
        finally
        {
            props.AsSpan(0, count).Clear();
            ArrayPool<LogProperty>.Shared.Return(props);
        }
    }

    /// <summary>Starts an activity from the request's W3C <c>traceparent</c> (and <c>tracestate</c>) when nothing else did.</summary>
    private static Activity StartActivity(HttpContext context)
    {
        var activity = new Activity(ActivityName);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        var headers = context.Request.Headers;
        if (headers.TryGetValue("traceparent", out var parent) && ActivityContext.TryParse(parent.ToString(), headers["tracestate"].ToString(), out var parentContext))
        {
            activity.SetParentId(parentContext.TraceId, parentContext.SpanId, parentContext.TraceFlags);
            activity.TraceStateString = parentContext.TraceState;
        }
        return activity.Start();
    }
}
