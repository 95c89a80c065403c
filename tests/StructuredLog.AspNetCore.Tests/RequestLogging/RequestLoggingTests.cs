using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StructuredLog.AspNetCore.Tests.Support;
using StructuredLog.Events;

namespace StructuredLog.AspNetCore.Tests.RequestLogging;

public sealed class RequestLoggingTests
{
    private const string Category = "StructuredLog.AspNetCore.Requests";

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/orders/{id:int}", (int id, ILogger<RequestLoggingTests> log, HttpContext context) =>
        {
            log.LogInformation("Loading order {OrderId}", id);
            context.Response.Headers.SetCookie = "session=abc";
            context.Response.Headers["X-Served-By"] = "node-1";
            return Results.Text("order " + id + " ready");
        });
        app.MapGet("/boom", (ILogger<RequestLoggingTests> log) =>
        {
            log.LogWarning("About to fail");
            throw new InvalidOperationException("kaboom");
        });
        app.MapGet("/late-boom", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("partial body");
            await context.Response.Body.FlushAsync();
            throw new InvalidOperationException("after start");
        });
        app.MapGet("/file", async (HttpContext context) =>
        {
            var path = Path.Combine(AppContext.BaseDirectory, "StructuredLog.AspNetCore.Tests.dll");
            context.Response.ContentType = "application/octet-stream";
            await context.Response.SendFileAsync(path);
        });
        app.MapGet("/json", () => Results.Json(new { items = Enumerable.Range(0, 200).ToArray() }));
        app.MapGet("/health", () => "healthy");
        app.MapGet("/health/ready", () => "ready");
        app.MapGet("/health/broken", () => Results.StatusCode(503));
    }

    private static (string TraceId, HttpRequestMessage Request) Traced(string path)
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return (traceId, request);
    }

    [Fact]
    public async Task A_200_writes_one_completion_event_and_correlates_the_events_of_the_request()
    {
        await using var web = await WebAppFixture.StartAsync(o =>
        {
            o.RequestHeaders.Add("Authorization");
            o.RequestHeaders.Add("Cookie");
            o.RequestHeaders.Add("X-Tenant");
            o.RequestHeaders.Add("X-Absent");
            o.ResponseHeaders.Add("Set-Cookie");
            o.ResponseHeaders.Add("X-Served-By");
        }, MapEndpoints);
        var (traceId, request) = Traced("/orders/42");
        request.Headers.UserAgent.ParseAdd("sl-tests/1.0");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "top-secret");
        request.Headers.Add("Cookie", "id=private");
        request.Headers.Add("X-Tenant", "acme");

        var (response, _, events) = await web.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(2, events.Count);

        var app = events[0];
        Assert.Equal(typeof(RequestLoggingTests).FullName, app.Category);
        Assert.Equal("Loading order 42", app.Message);
        Assert.Equal(traceId, app.TraceId);
        Assert.Equal(traceId, app.Get("TraceId").AsString);
        string requestId = app.Get("RequestId").AsString!;
        Assert.False(string.IsNullOrEmpty(requestId));

        var done = events[1];
        Assert.Equal(Category, done.Category);
        Assert.Equal(LogLevel.Info, done.Level);
        Assert.Equal(traceId, done.TraceId);
        Assert.Null(done.Exception);
        Assert.Equal("GET", done.Properties["RequestMethod"].AsString);
        Assert.Equal("/orders/42", done.Properties["RequestPath"].AsString);
        Assert.Equal("/orders/{id:int}", done.Properties["RouteTemplate"].AsString);
        Assert.Equal(200, done.Properties["StatusCode"].ToObject());
        Assert.Equal(requestId, done.Properties["RequestId"].AsString);
        Assert.Equal(traceId, done.Properties["TraceId"].AsString);
        Assert.Equal("127.0.0.1", done.Properties["ClientAddress"].AsString);
        Assert.Equal("sl-tests/1.0", done.Properties["UserAgent"].AsString);
        Assert.Equal((long)body.Length, done.Properties["ResponseSize"].ToObject());
        Assert.Equal(LogValueKind.Double, done.Properties["Elapsed"].Kind);
        Assert.InRange((double)done.Properties["Elapsed"].ToObject()!, 0.0001, 10_000);
        Assert.Equal("***", done.Properties["RequestHeader.Authorization"].AsString);
        Assert.Equal("***", done.Properties["RequestHeader.Cookie"].AsString);
        Assert.Equal("acme", done.Properties["RequestHeader.X-Tenant"].AsString);
        Assert.False(done.Properties.ContainsKey("RequestHeader.X-Absent"));
        Assert.Equal("***", done.Properties["ResponseHeader.Set-Cookie"].AsString);
        Assert.Equal("node-1", done.Properties["ResponseHeader.X-Served-By"].AsString);
        Assert.DoesNotContain("top-secret", done.Json);
        Assert.DoesNotContain("private", done.Json);
        Assert.DoesNotContain("session=abc", done.Json);
        Assert.StartsWith("HTTP GET /orders/42 responded 200 in ", done.Message);
    }

    [Fact]
    public async Task A_404_is_a_warning_without_a_route()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);
        var (traceId, request) = Traced("/missing/thing");

        var (response, _, events) = await web.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response!.StatusCode);
        var e = Assert.Single(events);
        Assert.Equal(LogLevel.Warn, e.Level);
        Assert.Equal(404, e.Properties["StatusCode"].ToObject());
        Assert.Equal("/missing/thing", e.Properties["RequestPath"].AsString);
        Assert.True(e.Properties["RouteTemplate"].IsNull);
        Assert.Equal(traceId, e.TraceId);
        Assert.Equal(0L, e.Properties["ResponseSize"].ToObject());
    }

    [Fact]
    public async Task An_unhandled_exception_is_logged_once_and_the_client_gets_a_500()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);
        var (traceId, request) = Traced("/boom");

        var (response, _, events) = await web.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response!.StatusCode);
        Assert.Equal(2, events.Count);
        Assert.Equal("About to fail", events[0].Message);
        Assert.Equal(traceId, events[0].Get("TraceId").AsString);
        var e = events[1];
        Assert.Equal(LogLevel.Error, e.Level);
        Assert.Equal(500, e.Properties["StatusCode"].ToObject());
        Assert.Equal("/boom", e.Properties["RouteTemplate"].AsString);
        var ex = Assert.IsType<InvalidOperationException>(e.Exception);
        Assert.Equal("kaboom", ex.Message);
        Assert.Equal(traceId, e.TraceId);
        Assert.Single(events, x => x.Exception is not null);
    }

    [Fact]
    public async Task An_exception_after_the_response_started_aborts_the_connection_and_is_logged_once()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);
        var (traceId, request) = Traced("/late-boom");

        var (response, error, events) = await web.SendAsync(request);

        // The status line (200) was sent before the failure: the client must see a broken body, not a complete one.
        Assert.True(error is not null || response is null, "the body should have been cut");
        var e = Assert.Single(events);
        Assert.Equal(LogLevel.Error, e.Level);
        Assert.Equal("after start", e.Exception!.Message);
        Assert.Equal(traceId, e.TraceId);
        Assert.True((long)e.Properties["ResponseSize"].ToObject()! >= "partial body".Length);
    }

    [Fact]
    public async Task Excluded_paths_write_nothing_unless_they_fail()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);

        var (health, _, afterHealth) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health"));
        var (ready, _, afterReady) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/HEALTH/ready"));
        Assert.Equal(HttpStatusCode.OK, health!.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready!.StatusCode);
        Assert.Empty(afterHealth);
        Assert.Empty(afterReady);

        var (broken, _, afterBroken) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health/broken"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken!.StatusCode);
        var e = Assert.Single(afterBroken);
        Assert.Equal(LogLevel.Error, e.Level);
        Assert.Equal(503, e.Properties["StatusCode"].ToObject());
    }

    [Fact]
    public async Task Excluded_paths_and_the_level_rule_are_configurable()
    {
        await using var web = await WebAppFixture.StartAsync(o =>
        {
            o.ExcludedPaths.Clear();
            o.ExcludedPaths.Add("/orders");
            o.GetLevel = (ctx, _, _) => ctx.Request.Path.StartsWithSegments("/health") ? LogLevel.Debug : LogLevel.Info;
        }, MapEndpoints);

        var (_, _, afterOrders) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/orders/1"));
        Assert.Single(afterOrders); // only the endpoint's own event
        Assert.Equal("Loading order 1", afterOrders[0].Message);

        var (_, _, afterHealth) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/health"));
        var e = Assert.Single(afterHealth, x => x.Category == Category);
        Assert.Equal(LogLevel.Debug, e.Level);
    }

    [Fact]
    public async Task Without_a_traceparent_a_new_trace_is_started_and_still_shared_by_all_events()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);

        var (_, _, events) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/orders/7"));

        Assert.Equal(2, events.Count);
        Assert.NotNull(events[0].TraceId);
        Assert.Equal(events[0].TraceId, events[1].TraceId);
        Assert.Equal(events[0].TraceId, events[1].Properties["TraceId"].AsString);
        Assert.NotEqual(new string('0', 32), events[0].TraceId);
    }

    [Fact]
    public async Task The_response_size_counts_files_and_pipe_writer_output()
    {
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints);

        var (file, _, afterFile) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/file"));
        var (json, _, afterJson) = await web.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/json"));

        long fileLength = new FileInfo(Path.Combine(AppContext.BaseDirectory, "StructuredLog.AspNetCore.Tests.dll")).Length;
        Assert.Equal(fileLength, (await file!.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(fileLength, afterFile.Single(e => e.Category == Category).Properties["ResponseSize"].ToObject());
        long jsonLength = (await json!.Content.ReadAsByteArrayAsync()).Length;
        Assert.True(jsonLength > 500);
        Assert.Equal(jsonLength, afterJson.Last(e => e.Category == Category).Properties["ResponseSize"].ToObject());
    }

    [Fact]
    public async Task When_the_host_starts_no_activity_the_middleware_continues_the_callers_trace()
    {
        // With hosting diagnostics off (and no listener), ASP.NET Core starts no Activity: the middleware must.
        await using var web = await WebAppFixture.StartAsync(endpoints: MapEndpoints,
            logging: o => o.Override("Microsoft.AspNetCore.Hosting", Microsoft.Extensions.Logging.LogLevel.None));
        var (traceId, request) = Traced("/orders/3");

        var (_, _, events) = await web.SendAsync(request);

        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(traceId, e.TraceId));
        Assert.Equal(traceId, events[1].Properties["TraceId"].AsString);
    }

    [Fact]
    public void Without_a_pipeline_the_one_liner_explains_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.UseStructuredLogRequests());
        Assert.Contains("AddStructuredLog", ex.Message);
    }
}
