using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;
using Serilog.Extensions.Logging;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>
/// Microsoft.Extensions.Logging with source-generated <c>[LoggerMessage]</c> methods (Microsoft's
/// high-performance logging pattern). MEL has no file provider of its own, so the provider is Serilog
/// (Serilog.Extensions.Logging) configured exactly as <see cref="SerilogPeer"/>; scopes through
/// <c>ILogger.BeginScope</c>, trace/span ids through <c>ActivityTrackingOptions</c>.
/// </summary>
public sealed partial class MelPeer : Peer
{
    private readonly ILoggerFactory _factory;
    private readonly ILogger _log;
    private readonly SerilogPeer.CountingSink? _counter;
    private readonly Serilog.Core.Logger _serilog;

    public MelPeer(string? path) : base(Library.MelLoggerMessage)
    {
        var serilog = _serilog = SerilogPeer.Configure(path, out _counter).CreateLogger();
        _factory = LoggerFactory.Create(b =>
        {
            b.ClearProviders();
            b.SetMinimumLevel(MelLogLevel.Information);
            b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            b.AddProvider(new SerilogLoggerProvider(serilog, dispose: true));
        });
        _log = _factory.CreateLogger("Benchmarks.Orders");
    }

    public override long Delivered => _counter?.Count ?? 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void DisabledBurst(int count)
    {
        var log = _log;
        for (int i = 0; i < count; i++) LogDebugOrder(log, i, 1.5, "alice");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void LogBurst(int start, int count, int exceptionEvery)
    {
        var log = _log;
        int end = start + count;
        for (int i = start; i < end; i++)
        {
            if (exceptionEvery > 0 && i % exceptionEvery == 0) LogOrderFailed(log, SampleException, i);
            else LogOrder(log, i, i * 0.25, Customer(i));
        }
    }

    protected override IDisposable BeginScope(string name, int value) =>
        _log.BeginScope(new Dictionary<string, object> { [name] = value }) ?? throw new InvalidOperationException("no scope");

    public override async ValueTask DisposeAsync()
    {
        _factory.Dispose();
        // An instance given to AddProvider is not disposed by the factory: close Serilog (drains the async sink).
        await _serilog.DisposeAsync();
    }

    [LoggerMessage(EventId = 1, Level = MelLogLevel.Information, Message = Template)]
    private static partial void LogOrder(ILogger logger, int a, double b, string c);

    [LoggerMessage(EventId = 2, Level = MelLogLevel.Debug, Message = Template)]
    private static partial void LogDebugOrder(ILogger logger, int a, double b, string c);

    [LoggerMessage(EventId = 3, Level = MelLogLevel.Error, Message = ErrorTemplate)]
    private static partial void LogOrderFailed(ILogger logger, Exception exception, int a);
}
