using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StructuredLog.TestSupport.Http;

/// <summary>
/// A Kestrel HTTP server on 127.0.0.1 that records every request (gzip bodies decoded) and answers with
/// scripted responses (<see cref="Enqueue"/>), then 200 (or <see cref="DefaultResponse"/>). It can be
/// stopped and started again on the same port to simulate an outage.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly List<ReceivedRequest> _requests = new();
    private WebApplication? _app;

    private HttpReceiver() { }

    /// <summary>The port (fixed for the receiver's lifetime, across restarts).</summary>
    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:{Port}/</c>.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>The answer when nothing is scripted. Default 200 with an empty JSON object.</summary>
    public ScriptedResponse DefaultResponse { get; set; } = new(200, null, "{}");

    /// <summary>Keep each request (headers, bodies) in <see cref="Requests"/>. Turn off for load (benchmarks): only <see cref="LinesReceived"/> is kept.</summary>
    public bool KeepRequests { get; set; } = true;

    private long _lines;

    /// <summary>Newline-terminated lines in the decoded bodies of accepted (2xx) requests so far.</summary>
    public long LinesReceived => Interlocked.Read(ref _lines);

    /// <summary>True while listening.</summary>
    public bool IsRunning => _app is not null;

    /// <summary>Every request so far.</summary>
    public IReadOnlyList<ReceivedRequest> Requests { get { lock (_requests) return _requests.ToList(); } }

    /// <summary>Requests answered with a 2xx.</summary>
    public IReadOnlyList<ReceivedRequest> Accepted => Requests.Where(r => r.StatusReturned is >= 200 and < 300).ToList();

    /// <summary>Starts on a free port (or <paramref name="port"/>).</summary>
    public static async Task<HttpReceiver> StartAsync(int port = 0)
    {
        var receiver = new HttpReceiver { Port = port == 0 ? FreePort.Tcp() : port };
        await receiver.StartAsync();
        return receiver;
    }

    /// <summary>Answers the next request with <paramref name="status"/> (optionally a Retry-After header and a body).</summary>
    public void Enqueue(int status, string? retryAfter = null, string body = "") => _script.Enqueue(new ScriptedResponse(status, retryAfter, body));

    /// <summary>Starts listening again on the same port.</summary>
    public async Task StartAsync()
    {
        if (_app is not null) return;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, Port);
            k.Limits.MaxRequestBodySize = 256 * 1024 * 1024;
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await app.StartAsync();
                break;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // the port is still being released by the previous instance
            }
        }
        _app = app;
    }

    /// <summary>Stops listening (connections refused until <see cref="StartAsync()"/>).</summary>
    public async Task StopAsync()
    {
        var app = _app;
        _app = null;
        if (app is null) return;
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5))) await app.StopAsync(cts.Token);
        await app.DisposeAsync();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds on the accepted requests.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<ReceivedRequest>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Accepted))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout.TotalSeconds} s; {Requests.Count} requests received");
            await Task.Delay(50);
        }
    }

    /// <summary>Total NDJSON lines in accepted requests.</summary>
    public int AcceptedLineCount => Accepted.Sum(r => r.Lines.Count);

    private async Task HandleAsync(HttpContext context)
    {
        using var ms = new MemoryStream();
        await context.Request.Body.CopyToAsync(ms);
        var raw = ms.ToArray();
        byte[] decoded = raw;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var outMs = new MemoryStream();
            await gz.CopyToAsync(outMs);
            decoded = outMs.ToArray();
        }
        var response = _script.TryDequeue(out var scripted) ? scripted : DefaultResponse;
        if (response.Status is >= 200 and < 300) Interlocked.Add(ref _lines, decoded.AsSpan().Count((byte)'\n'));
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (KeepRequests) lock (_requests)
        {
            _requests.Add(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, raw,
                Encoding.UTF8.GetString(decoded), response.Status, DateTime.UtcNow));
        }
        context.Response.StatusCode = response.Status;
        if (response.RetryAfter is not null) context.Response.Headers.RetryAfter = response.RetryAfter;
        if (response.Body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>A scripted answer of <see cref="HttpReceiver"/>.</summary>
public sealed record ScriptedResponse(int Status, string? RetryAfter, string Body);
