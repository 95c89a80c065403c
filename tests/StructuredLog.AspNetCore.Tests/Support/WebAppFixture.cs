using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;
using StructuredLog.TestSupport.Sinks;

namespace StructuredLog.AspNetCore.Tests.Support;

/// <summary>A real web application on Kestrel at 127.0.0.1 (free port), logging into a <see cref="CollectingSink"/>.</summary>
public sealed class WebAppFixture : IAsyncDisposable
{
    public const string TestIdHeader = "X-Test-Id";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _finished;

    private WebAppFixture(WebApplication app, CollectingSink sink, Uri address, System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> finished)
    {
        _finished = finished;
        App = app;
        Sink = sink;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
    }

    public WebApplication App { get; }

    public CollectingSink Sink { get; }

    public HttpClient Client { get; }

    public LogPipeline Pipeline => App.Services.GetRequiredService<LogPipeline>();

    public static async Task<WebAppFixture> StartAsync(Action<RequestLoggingOptions>? requests = null, Action<WebApplication>? endpoints = null, Action<StructuredLog.Extensions.Logging.StructuredLogOptions>? logging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var sink = new CollectingSink();
        builder.Logging.AddStructuredLog(o =>
        {
            o.ConfigurationSectionName = null;
            o.MinimumLevel = MelLevel.Debug;
            o.Override("Microsoft", MelLevel.Warning);
            o.WriteTo(sink);
            // The middleware redacts on its own: turn the pipeline's name-based redaction off to see it.
            o.ConfigurePipeline(p => p.RedactOnly().FlushOnProcessExit(false));
            logging?.Invoke(o);
        });
        var app = builder.Build();
        // Outermost: signals when the whole pipeline (request logging included) is done with a request,
        // so that tests wait on that condition instead of sleeping.
        var finished = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>();
        app.Use(async (context, next) =>
        {
            try { await next(context); }
            finally
            {
                var id = context.Request.Headers[TestIdHeader].ToString();
                if (id.Length > 0) finished.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        });
        app.UseStructuredLogRequests(requests);
        endpoints?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new WebAppFixture(app, sink, new Uri(address), finished);
    }

    /// <summary>Sends a request, waits until the server finished it (logging included) and returns the response and all events so far.</summary>
    public async Task<(HttpResponseMessage? Response, Exception? Error, IReadOnlyList<CapturedEvent> Events)> SendAsync(HttpRequestMessage request)
    {
        var id = Guid.NewGuid().ToString("N");
        request.Headers.Add(TestIdHeader, id);
        HttpResponseMessage? response = null;
        Exception? error = null;
        try
        {
            response = await Client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            error = ex;
        }
        await _finished.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(10));
        return (response, error, await EventsAsync());
    }

    public async Task<IReadOnlyList<CapturedEvent>> EventsAsync()
    {
        await Pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return Sink.Events;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
