using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using MelLogLevel = Microsoft.Extensions.Logging.LogLevel;
using Serilog.Extensions.Logging;
using StructuredLog.Extensions.Logging;
using ZLogger;

namespace StructuredLog.Benchmarks.Peers;

/// <summary>The provider behind <see cref="MelPeer"/>'s <c>ILogger</c>.</summary>
public enum MelProvider
{
    /// <summary>Serilog.Extensions.Logging over Serilog configured as <see cref="SerilogPeer"/> (the peer of the main classes).</summary>
    Serilog,
    /// <summary>StructuredLog's own provider (<c>AddStructuredLog</c>) over a pipeline configured as <see cref="StructuredLogPeer"/>.</summary>
    StructuredLog,
    /// <summary>ZLogger's provider over its async stream writer, as <see cref="ZLoggerPeer"/>.</summary>
    ZLogger,
}

/// <summary>
/// Microsoft.Extensions.Logging with source-generated <c>[LoggerMessage]</c> methods (Microsoft's
/// high-performance logging pattern). MEL has no file provider of its own, so the provider of the main classes
/// is Serilog (Serilog.Extensions.Logging) configured exactly as <see cref="SerilogPeer"/>; scopes through
/// <c>ILogger.BeginScope</c>, trace/span ids through <c>ActivityTrackingOptions</c>. For the null target
/// (<c>path</c> null) the provider can also be StructuredLog's or ZLogger's (<see cref="MelCallerBenchmarks"/>).
/// </summary>
public sealed partial class MelPeer : Peer
{
    private readonly ILoggerFactory _factory;
    private readonly ILogger _log;
    private readonly Func<long> _delivered;
    private readonly Serilog.Core.Logger? _serilog;
    private readonly LogPipeline? _pipeline;

    public MelPeer(string? path, MelProvider provider = MelProvider.Serilog) : base(Library.MelLoggerMessage)
    {
        if (provider != MelProvider.Serilog && path is not null) throw new NotSupportedException($"{provider}: the null target only");
        Serilog.Core.Logger? serilog = null;
        SerilogPeer.CountingSink? serilogCounter = null;
        var structuredCounter = new StructuredLogPeer.CountingSink();
        var zloggerCounter = new ZLoggerPeer.LineCountingStream();
        if (provider == MelProvider.Serilog) serilog = _serilog = SerilogPeer.Configure(path, out serilogCounter).CreateLogger();
        if (provider == MelProvider.StructuredLog)
        {
            _pipeline = new LogPipelineBuilder().MinimumLevel(LogLevel.Info).BufferSize(16_384).FlushOnProcessExit(false)
                .WriteTo(structuredCounter, isolate: false).Build();
        }
        _factory = LoggerFactory.Create(b =>
        {
            b.ClearProviders();
            b.SetMinimumLevel(MelLogLevel.Information);
            b.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
            switch (provider)
            {
                case MelProvider.Serilog: b.AddProvider(new SerilogLoggerProvider(serilog!, dispose: true)); break;
                case MelProvider.StructuredLog: b.AddStructuredLog(_pipeline!); break;
                case MelProvider.ZLogger:
                    b.AddZLoggerStream(zloggerCounter, o =>
                    {
                        o.FullMode = BackgroundBufferFullMode.Block;
                        o.IncludeScopes = true; // as the file peer: scopes reach its events (the other providers always gather them)
                    });
                    break;
            }
        });
        _log = _factory.CreateLogger("Benchmarks.Orders");
        _delivered = provider switch
        {
            MelProvider.StructuredLog => () => structuredCounter.Count,
            MelProvider.ZLogger => () => zloggerCounter.Lines,
            _ => () => serilogCounter?.Count ?? 0,
        };
    }

    public override long Delivered => _delivered();

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

    /// <summary>
    /// <paramref name="count"/> calls of the <c>LogInformation(template, args)</c> extension, the call most MEL code
    /// makes: MEL builds its <c>FormattedLogValues</c> state (the template's formatter from its cache, a params
    /// array, the int and the double boxed) before the provider sees it. Counted in <see cref="Peer.Sent"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LogInformationBurst(int count)
    {
        AddSent(count);
        var log = _log;
        for (int i = 0; i < count; i++) log.LogInformation(Template, i, i * 0.25, Customer(i));
    }

    /// <summary>
    /// <paramref name="count"/> <c>[LoggerMessage]</c> calls inside the scopes an ASP.NET Core request has: a list of
    /// pairs (as the hosting scope), a dictionary, and MEL's activity scope (an <see cref="Activity"/> is current and
    /// <c>ActivityTrackingOptions</c> are on). Counted in <see cref="Peer.Sent"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScopedBurst(int count)
    {
        AddSent(count);
        var log = _log;
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var request = log.BeginScope(RequestScope);
        using var user = log.BeginScope(UserScope);
        for (int i = 0; i < count; i++) LogOrder(log, i, i * 0.25, Customer(i));
    }

    /// <summary>
    /// As <see cref="ScopedBurst"/>, with an MVC action's scope and a handler's own scope of six pairs inside: 13 scope
    /// pairs in all, more than StructuredLog's ring keeps beside a cell (12 parts), so each call's pairs go to the cell's
    /// overflow array.
    /// </summary>
    public void DeepScopedBurst(int count)
    {
        AddSent(count);
        var log = _log;
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var request = log.BeginScope(RequestScope);
        using var action = log.BeginScope(ActionScope);
        using var user = log.BeginScope(UserScope);
        using var handler = log.BeginScope(HandlerScope);
        for (int i = 0; i < count; i++) LogOrder(log, i, i * 0.25, Customer(i));
    }

    /// <summary>An MVC action's scope (ActionId and ActionName, a list of pairs).</summary>
    internal static readonly List<KeyValuePair<string, object?>> ActionScope =
        [new("ActionId", "6c2a6b8e-7d27-4a4e-9a53-0c1b2d3e4f50"), new("ActionName", "Shop.OrdersController.Create (Shop)")];

    /// <summary>A handler's own scope of six pairs (a dictionary).</summary>
    internal static readonly Dictionary<string, object?> HandlerScope = new()
    {
        ["OrderId"] = 90210, ["Sku"] = "SKU-4411", ["Quantity"] = 3, ["Warehouse"] = "FRA-2", ["Carrier"] = "dhl", ["Region"] = "eu-central",
    };

    /// <summary>A request's scope as ASP.NET Core's hosting scope carries it (a list of pairs); shared with <see cref="MelProviderBenchmarks"/>.</summary>
    internal static readonly List<KeyValuePair<string, object?>> RequestScope =
        [new("RequestId", "0HN8K3V5Q2:00000001"), new("RequestPath", "/orders"), new("ConnectionId", "0HN8K3V5Q2")];

    /// <summary>An application's own scope (a dictionary); shared with <see cref="MelProviderBenchmarks"/>.</summary>
    internal static readonly Dictionary<string, object?> UserScope = new() { ["UserId"] = 4711, ["Tenant"] = "acme" };

    protected override IDisposable BeginScope(string name, int value) =>
        _log.BeginScope(new Dictionary<string, object> { [name] = value }) ?? throw new InvalidOperationException("no scope");

    public override async ValueTask DisposeAsync()
    {
        _factory.Dispose();
        // An instance given to AddProvider is not disposed by the factory: close Serilog (drains the async sink).
        if (_serilog is not null) await _serilog.DisposeAsync();
        if (_pipeline is not null) await _pipeline.DisposeAsync();
    }

    [LoggerMessage(EventId = 1, Level = MelLogLevel.Information, Message = Template)]
    private static partial void LogOrder(ILogger logger, int a, double b, string c);

    [LoggerMessage(EventId = 2, Level = MelLogLevel.Debug, Message = Template)]
    private static partial void LogDebugOrder(ILogger logger, int a, double b, string c);

    [LoggerMessage(EventId = 3, Level = MelLogLevel.Error, Message = ErrorTemplate)]
    private static partial void LogOrderFailed(ILogger logger, Exception exception, int a);
}
