using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StructuredLog.OpenTelemetry.Tests.Support;

/// <summary>A loopback OTLP/HTTP logs receiver on Kestrel: decodes every <c>POST /v1/logs</c> protobuf body.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly List<OtlpLogRecord> _records = new();
    private readonly List<string> _contentTypes = new();
    private readonly SemaphoreSlim _received = new(0);
    private WebApplication _app = null!;

    public Uri LogsEndpoint { get; private set; } = null!;

    public IReadOnlyList<OtlpLogRecord> Records { get { lock (_records) return _records.ToArray(); } }

    public IReadOnlyList<string> ContentTypes { get { lock (_records) return _contentTypes.ToArray(); } }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/logs", receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.LogsEndpoint = new Uri(new Uri(address), "/v1/logs");
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Stream body = context.Request.Body;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
            body = new GZipStream(body, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        var decoded = OtlpLogsDecoder.Decode(buffer.ToArray());
        lock (_records)
        {
            _records.AddRange(decoded);
            _contentTypes.Add(context.Request.ContentType ?? "");
        }
        _received.Release();
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = 200;
    }

    /// <summary>Waits (bounded) until at least <paramref name="count"/> records arrived.</summary>
    public async Task<IReadOnlyList<OtlpLogRecord>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (Records.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"expected {count} OTLP records, received {Records.Count}");
            await _received.WaitAsync(left);
        }
        return Records;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
